"""Helpers for the admin tests: POST data for the article form, test images."""

import io

from PIL import Image as PILImage

from articles.models import Article


def image_bytes(fmt="PNG", size=(1200, 800), color=(200, 40, 40), **save_options):
    buffer = io.BytesIO()
    mode = "RGBA" if fmt in ("PNG", "WEBP") else "RGB"
    PILImage.new(mode, size, color).save(buffer, format=fmt, **save_options)
    return buffer.getvalue()


def article_form_data(article=None, **overrides):
    """What the admin change form posts for `article` (or a new one), plus `overrides`."""
    data = {
        "title": "A fresh explainer",
        "slug": "a-fresh-explainer",
        "dek": "What it is and why it matters.",
        "body": "## Intro\n\nPlain words about models.\n",
        "hero_image": "",
        "tags": "",
        "category": "",
        "author": "",
        "status": Article.Status.DRAFT,
        "published_at_0": "",
        "published_at_1": "",
        "review_comment": "",
        "seo_title": "",
        "seo_description": "",
        "_save": "Save",
    }
    if article is not None:
        data.update(
            title=article.title,
            slug=article.slug,
            dek=article.dek,
            body=article.body,
            tags=", ".join(tag.name for tag in article.tags.all()),
            category=article.category_id,
            author=article.author_id,
            status=article.status,
            base_version=article.version,
            review_comment=article.review_comment,
        )
        if article.published_at:
            data["published_at_0"] = article.published_at.strftime("%Y-%m-%d")
            data["published_at_1"] = article.published_at.strftime("%H:%M:%S")
    data.update(overrides)
    return data

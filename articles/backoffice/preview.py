"""Previews of unpublished articles in the real site template.

Two ways in: the admin's Preview button renders the unsaved form (see ArticleAdmin), and a
share link carries a signed, expiring token so someone without an account can read a draft
(or the draft changes of a live article).
Preview responses are never cached and tell search engines not to index them.
"""

from django.conf import settings
from django.core import signing
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.text import slugify
from taggit.models import Tag

from articles.models import Article
from articles.rendering.article import article_derive
from articles.writes import content_apply, draft_of, references_refresh_if_due

SALT = "articles.preview"  # signed into every share link given out: never change it


def preview_max_age():
    return getattr(settings, "ARTICLE_PREVIEW_MAX_AGE", 7 * 24 * 60 * 60)


def preview_token(article):
    """A signed token for `article`'s current share links (`share_version` revokes older ones)."""
    payload = {"article": article.pk, "v": article.share_version}
    return signing.dumps(payload, salt=SALT, compress=True)


def share_url(article):
    return reverse("articles:preview", kwargs={"token": preview_token(article)})


class PreviewArticle:
    """An article as the form has it, with the form's tags instead of the saved ones."""

    def __init__(self, article, tag_names):
        self._article = article
        tags = [Tag(name=name, slug=slugify(name)) for name in tag_names]
        self.tags = _Tags(tags)

    def __getattr__(self, name):
        return getattr(self._article, name)


class _Tags:
    def __init__(self, tags):
        self._tags = tags

    def all(self):
        return self._tags


def render_preview(request, article, tag_names, errors=None, status=200):
    """The article page for `article` (saved or not), marked as a preview."""
    now = timezone.now()
    article.created_at = article.created_at or now  # an unsaved article has no stamps yet
    article.updated_at = article.updated_at or now
    context = {
        "article": PreviewArticle(article, tag_names),
        "recent": Article.objects.published().for_sidebar()[:5],
        "related": [],
        "preview_errors": errors or [],
    }
    response = TemplateResponse(request, "articles/article_preview.html", context, status=status)
    return mark_preview(response)


def mark_preview(response):
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _expired(request):
    response = TemplateResponse(request, "articles/preview_expired.html", status=410)
    return mark_preview(response)


def article_share_preview(request, token):
    """Public: the saved state of an unpublished article, for whoever holds a valid link.

    An expired link and a revoked one (signed with an older `share_version`) get the same
    410 page; a forged one, or one whose article is gone, a 404.
    """
    try:
        data = signing.loads(token, salt=SALT, max_age=preview_max_age())
    except signing.SignatureExpired:
        return _expired(request)
    except signing.BadSignature as error:
        raise Http404("No such preview.") from error
    pk = data.get("article") if isinstance(data, dict) else None
    article = (
        Article.objects.select_related("author", "category", "hero_image")
        .filter(pk=pk if isinstance(pk, int) else None)
        .first()
    )
    if article is None:
        raise Http404("No such preview.")
    if data.get("v", 0) != article.share_version:  # links from before this release carry none
        return _expired(request)
    if article.is_published:
        return _draft_preview(request, article)
    references_refresh_if_due(article)
    return render_preview(request, article, [tag.name for tag in article.tags.all()])


def _draft_preview(request, article):
    """A live article's draft changes; without any, the public page is what there is to see."""
    draft = draft_of(article)
    if draft is None:
        return redirect(article)
    tags = content_apply(article, draft.content)
    article_derive(article)  # derived for the page, never stored
    return render_preview(request, article, tags)

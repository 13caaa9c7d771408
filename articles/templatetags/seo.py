"""Page metadata: titles and descriptions reused for link previews, canonical URLs, JSON-LD.

`{% capture %}` lets base.html render a page's `title` block once and use the text in
<title>, OpenGraph and Twitter tags alike, so no page template has to repeat itself.
"""

import html
import re

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html, strip_tags

from config.lib.cards import HEIGHT, WIDTH
from config.lib.seo import absolute_url, json_ld

register = template.Library()
_SPACE = re.compile(r"\s+")


class CaptureNode(template.Node):
    def __init__(self, nodelist, name):
        self.nodelist, self.name = nodelist, name

    def render(self, context):
        text = html.unescape(strip_tags(self.nodelist.render(context)))
        context[self.name] = _SPACE.sub(" ", text).strip()
        return ""


@register.tag
def capture(parser, token):
    """`{% capture name %}…{% endcapture %}`: the enclosed output as plain text, in `name`."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("Usage: {% capture name %}…{% endcapture %}")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[1])


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """This page on the canonical origin; of the query string only a page number survives."""
    request = context.get("request")
    if request is None:
        return absolute_url("/")
    page = request.GET.get("page", "")
    suffix = f"?page={page}" if page.isascii() and page.isdigit() and int(page) > 1 else ""
    return absolute_url(request.path + suffix)


@register.filter
def absolute(path):
    return absolute_url(str(path))


def _modified(article):
    """When readers last saw it change: its last edit, or its going live if that came later."""
    return max(stamp for stamp in (article.updated_at, article.published_at) if stamp)


@register.simple_tag
def modified_at(article):
    return _modified(article).isoformat()


@register.simple_tag
def social_image(image):
    """OpenGraph and Twitter tags for an image-library picture, with its real size."""
    return format_html(
        '<meta property="og:image" content="{url}">\n'
        '  <meta property="og:image:width" content="{width}">\n'
        '  <meta property="og:image:height" content="{height}">\n'
        '  <meta property="og:image:alt" content="{alt}">\n'
        '  <meta name="twitter:image" content="{url}">\n'
        '  <meta name="twitter:image:alt" content="{alt}">',
        url=absolute_url(image.file.url),
        width=image.width,
        height=image.height,
        alt=image.alt,
    )


@register.simple_tag
def social_card(card):
    """OpenGraph and Twitter tags for a page's generated card, `card` being (Card, url)."""
    card, url = card
    return format_html(
        '<meta property="og:image" content="{url}">\n'
        '  <meta property="og:image:type" content="image/png">\n'
        '  <meta property="og:image:width" content="{width}">\n'
        '  <meta property="og:image:height" content="{height}">\n'
        '  <meta property="og:image:alt" content="{alt}">\n'
        '  <meta name="twitter:image" content="{url}">\n'
        '  <meta name="twitter:image:alt" content="{alt}">',
        url=absolute_url(url),
        width=WIDTH,
        height=HEIGHT,
        alt=card.alt,
    )


def _card_image(card):
    card, url = card
    return {
        "@type": "ImageObject",
        "url": absolute_url(url),
        "width": WIDTH,
        "height": HEIGHT,
        "caption": card.alt,
    }


def _breadcrumbs(*crumbs):
    """schema.org BreadcrumbList from (name, path) pairs, Home first."""
    crumbs = (("Home", reverse("articles:home")), *crumbs)
    return {
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": name, "item": absolute_url(path)}
            for n, (name, path) in enumerate(crumbs, start=1)
        ],
    }


def _graph(*nodes):
    return json_ld({"@context": "https://schema.org", "@graph": list(nodes)})


LOGO_SIZE = 256  # config/static/img/logo.png, drawn once with Pillow


def _publisher():
    return {
        "@type": "Organization",
        "@id": absolute_url("/") + "#publisher",
        "name": settings.SITE_NAME,
        "url": absolute_url("/"),
        "logo": {
            "@type": "ImageObject",
            "url": absolute_url(static("img/logo.png")),
            "width": LOGO_SIZE,
            "height": LOGO_SIZE,
        },
    }


def _mentions(models):
    """The catalog entries an article references inline, as schema.org SoftwareApplication."""
    return [
        {
            "@type": "SoftwareApplication",
            "name": model.name,
            "url": absolute_url(model.get_absolute_url()),
        }
        for model in models
        if getattr(model, "is_referenced", True)
    ]


@register.simple_tag
def article_json_ld(article, card=None, models=()):
    """The article, its card and hero image, publisher, and the catalog entries it mentions."""
    url = absolute_url(article.get_absolute_url())
    modified = _modified(article)
    data = {
        "@type": "Article",
        "@id": url + "#article",
        "headline": article.title[:110],
        "description": article.meta_description,
        "url": url,
        "mainEntityOfPage": url,
        "datePublished": article.published_at.isoformat() if article.published_at else None,
        "dateModified": modified.isoformat(),
        "author": {
            "@type": "Person",
            "name": article.author.name,
            "url": absolute_url(article.author.get_absolute_url()),
        },
        "publisher": _publisher(),
        "articleSection": article.category.name,
        "keywords": [tag.name for tag in article.tags.all()],
        "image": _article_images(article, card),
        "mentions": _mentions(models),
    }
    data = {key: value for key, value in data.items() if value not in (None, [])}
    crumbs = _breadcrumbs(
        (article.category.name, article.category.get_absolute_url()),
        (article.title, article.get_absolute_url()),
    )
    return _graph(data, crumbs)


def _article_images(article, card):
    images = [_card_image(card)] if card else []
    if article.hero_image_id:
        image = article.hero_image
        images.append(
            {
                "@type": "ImageObject",
                "url": absolute_url(image.file.url),
                "width": image.width,
                "height": image.height,
                "caption": image.alt,
            }
        )
    return images


@register.simple_tag
def breadcrumbs_json_ld(*pairs):
    """`{% breadcrumbs_json_ld "Tags" tags_url tag.name tag_url %}`: name, path, name, path…"""
    return _graph(_breadcrumbs(*zip(pairs[::2], pairs[1::2], strict=True)))


@register.simple_tag
def webpage_json_ld(name, path, card=None, kind="CollectionPage"):
    """A listing page (tag, comparison) with its card and publisher."""
    data = {
        "@type": kind,
        "name": name,
        "url": absolute_url(path),
        "image": _card_image(card) if card else None,
        "publisher": _publisher(),
    }
    return _graph({key: value for key, value in data.items() if value is not None})


@register.simple_tag
def website_json_ld():
    """The site itself, with the search box search engines may offer."""
    search = absolute_url(reverse("articles:search")) + "?q={search_term_string}"
    return _graph(
        {
            "@type": "WebSite",
            "name": settings.SITE_NAME,
            "url": absolute_url("/"),
            "potentialAction": {
                "@type": "SearchAction",
                "target": {"@type": "EntryPoint", "urlTemplate": search},
                "query-input": "required name=search_term_string",
            },
        }
    )


@register.simple_tag
def aimodel_json_ld(model, card=None):
    """A catalog entry as a schema.org SoftwareApplication, with its licence and maker."""
    url = absolute_url(model.get_absolute_url())
    data = {
        "@type": "SoftwareApplication",
        "@id": url + "#model",
        "name": model.name,
        "description": model.summary or None,
        "url": url,
        "applicationCategory": f"{model.get_kind_display()} AI model",
        "datePublished": model.release_date.isoformat() if model.release_date else None,
        "dateModified": model.updated_at.isoformat(),
        "keywords": [tag.name for tag in model.tags.all()],
        "sameAs": [link for link in (model.homepage_url, model.model_card_url) if link],
        "image": _card_image(card) if card else None,
    }
    if model.organization_id:
        maker = {"@type": "Organization", "name": model.organization.name}
        if model.organization.homepage:
            maker["url"] = model.organization.homepage
        data["author"] = maker
    if model.license_id:
        licence = model.license
        data["license"] = {"@type": "CreativeWork", "name": licence.name}
        if licence.url:
            data["license"]["url"] = licence.url
        if licence.spdx_id:
            data["license"]["identifier"] = licence.spdx_id
    data = {key: value for key, value in data.items() if value not in (None, [])}
    crumbs = _breadcrumbs(
        ("Models", reverse("catalog:list")), (model.name, model.get_absolute_url())
    )
    return _graph(data, crumbs)

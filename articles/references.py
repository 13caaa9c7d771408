"""Inline references in Markdown: `[[model:<slug>]]` and `[[article:<slug>]]`.

A reference becomes a link (a model gets a small badge with its organisation and weights) when
its target exists, and plain text when it does not. All targets of one body are looked up in at
most two queries, however many references it holds. The HTML is baked in on save; when a
referenced article or model changes, the articles that mention it are rendered again
(see `articles.signals`), so a renamed title shows up everywhere.
"""

import re
import xml.etree.ElementTree as etree

from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.util import AtomicString

REFERENCE = r"\[\[(model|article):([A-Za-z0-9_-]{1,200})\]\]"
_REFERENCE = re.compile(REFERENCE)


class ReferenceResolver:
    """Finds every reference in a body, resolves them in bulk, renders them inline."""

    def __init__(self, text, exclude_article=None):
        from articles.models import Article
        from models_catalog.models import AIModel

        wanted = {"model": set(), "article": set()}
        for kind, slug in _REFERENCE.findall(text or ""):
            wanted[kind].add(slug.lower())
        self.models = {}
        self.articles = {}
        if wanted["model"]:
            self.models = {
                m.slug: m
                for m in AIModel.objects.select_related("organization").filter(
                    slug__in=wanted["model"]
                )
            }
        if wanted["article"]:
            articles = Article.objects.filter(slug__in=wanted["article"]).only(
                "pk", "slug", "title", "status"
            )
            if exclude_article is not None and exclude_article.pk:
                articles = articles.exclude(pk=exclude_article.pk)
            self.articles = {a.slug: a for a in articles}
        self.missing = sorted(
            f"{kind}:{slug}"
            for kind, slugs in wanted.items()
            for slug in slugs
            if slug not in (self.models if kind == "model" else self.articles)
        )

    @property
    def model_ids(self):
        return [m.pk for m in self.models.values()]

    @property
    def article_ids(self):
        return [a.pk for a in self.articles.values()]

    def element(self, kind, slug):
        slug = slug.lower()
        if kind == "model" and slug in self.models:
            model = self.models[slug]
            link = etree.Element("a", {"href": model.get_absolute_url(), "class": "model-ref"})
            # AtomicString: a name is text, never Markdown or HTML to parse further.
            link.text = AtomicString(model.name)
            weights = model.weights or "unknown"
            badge = etree.SubElement(link, "span", {"class": f"badge badge--{weights}"})
            organisation = model.organization.name if model.organization_id else "Unknown"
            badge.text = AtomicString(f"{organisation} · {weights} weights")
            return link
        if kind == "article" and slug in self.articles:
            article = self.articles[slug]
            if article.status == article.Status.PUBLISHED:
                link = etree.Element("a", {"href": article.get_absolute_url()})
                link.text = AtomicString(article.title)
                return link
            return AtomicString(article.title)  # not (yet) public: name it without a dead link
        return slug  # a missing target is plain text

    def extension(self):
        return _ReferenceExtension(self)


class _ReferenceProcessor(InlineProcessor):
    def __init__(self, resolver):
        super().__init__(REFERENCE)
        self.resolver = resolver

    def handleMatch(self, m, data):  # noqa: N802 - Markdown's API
        return self.resolver.element(m.group(1), m.group(2)), m.start(0), m.end(0)


class _ReferenceExtension(Extension):
    def __init__(self, resolver):
        super().__init__()
        self.resolver = resolver

    def extendMarkdown(self, md):  # noqa: N802 - Markdown's API
        # Above links (160) so `[[...]]` is not read as a link, below code spans (190).
        md.inlinePatterns.register(_ReferenceProcessor(self.resolver), "modelpress_ref", 175)

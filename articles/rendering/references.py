"""Inline references in Markdown: `[[model:<slug>]]` and `[[article:<slug>]]`.

A reference becomes a link (a model gets a small badge with its organisation and weights) when
its target exists and readers can see it, and plain text otherwise. An article reference is a
link only when `Article.objects.published()` says the target is live: a draft, an article in
review, a scheduled one or one in the trash renders exactly like a slug that matches nothing
(no title, no link), in every body, preview and search entry, whoever is looking (issue 12).
All targets of one body are looked up in at most two queries, however many references it
holds. The HTML is baked in on save; when a referenced article or model changes (renamed,
published, unpublished, trashed), the articles that mention it are rendered again
(articles/writes.py; catalog changes reach it through articles/signals.py). A scheduled
target goes live with no write at all, so a body also records when its next hidden target is
due (`Article.rerender_at`) and is rendered again at the first request after that moment.
"""

import re
import xml.etree.ElementTree as etree

from django.db.models import Exists, OuterRef
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.util import AtomicString

from articles.models import Article
from articles.rendering.comparisons import CompareProcessor, Comparisons
from models_catalog.models import AIModel

REFERENCE = r"\[\[(model|article):([A-Za-z0-9_-]{1,200})\]\]"
_REFERENCE = re.compile(REFERENCE)


class ReferenceResolver:
    """Finds every reference in a body, resolves them in bulk, renders them inline."""

    def __init__(self, text, exclude_article=None):
        wanted = {"model": set(), "article": set()}
        for kind, slug in _REFERENCE.findall(text or ""):
            wanted[kind].add(slug.lower())
        self.models = self._models(wanted["model"])
        self.articles = self._articles(wanted["article"], exclude_article)
        self.comparisons = Comparisons(text)  # `[[compare:…]]` (articles/rendering/comparisons.py)
        # Not found at all: waits in PendingReference for an entry with that slug to appear.
        missing = {
            f"{kind}:{slug}"
            for kind, slugs in wanted.items()
            for slug in slugs
            if slug not in (self.models if kind == "model" else self.articles)
        }
        self.missing = sorted(missing | {f"model:{s}" for s in self.comparisons.missing})
        # Shown as plain text: missing, or an article readers cannot see (yet). The writer is
        # told about both alike, so the message says nothing about other people's drafts.
        hidden = [f"article:{a.slug}" for a in self.articles.values() if not a.is_live]
        self.unresolved = sorted(
            [*missing, *hidden, *(f"compare:{s}" for s in self.comparisons.missing)]
        )
        self.notices = self.comparisons.notices  # compare sets over the compare page's max

    @staticmethod
    def _models(slugs):
        if not slugs:
            return {}
        found = AIModel.objects.select_related("organization").filter(slug__in=slugs)
        return {m.slug: m for m in found}

    @staticmethod
    def _articles(slugs, exclude_article):
        """Every target not in the trash (each a dependency), each marked `is_live`."""
        if not slugs:
            return {}
        live = Article.objects.published().filter(pk=OuterRef("pk"))
        articles = (
            Article.objects.filter(slug__in=slugs)
            .annotate(is_live=Exists(live))
            .only("pk", "slug", "title", "status", "published_at")
        )
        if exclude_article is not None and exclude_article.pk:
            articles = articles.exclude(pk=exclude_article.pk)
        return {a.slug: a for a in articles}

    @property
    def next_change_at(self):
        """When the first target that readers cannot see yet is scheduled to go live."""
        return min(
            (
                a.published_at
                for a in self.articles.values()
                if not a.is_live and a.status == a.Status.PUBLISHED and a.published_at
            ),
            default=None,
        )

    @property
    def model_ids(self):
        """Entries referenced inline or in a compare set (`Article.mentioned_models`)."""
        return sorted({m.pk for m in self.models.values()} | set(self.comparisons.model_ids))

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
        if kind == "article" and slug in self.articles and self.articles[slug].is_live:
            article = self.articles[slug]
            link = etree.Element("a", {"href": article.get_absolute_url()})
            link.text = AtomicString(article.title)
            return link
        return slug  # missing, or not for readers' eyes (yet): the same plain text

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
        # Before paragraphs (10) and tables (75): a line holding only `[[compare:…]]`.
        compare = CompareProcessor(md.parser, self.resolver.comparisons)
        md.parser.blockprocessors.register(compare, "modelpress_compare", 76)

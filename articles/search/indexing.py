"""The search index: `SearchEntry` rows plus the database's full-text index beside them.

This is the backend of config/lib/indexing.py: apps describe their documents there and say
when rows change; this module stores them. Articles are one kind of document, described
here; the catalog describes its own (models_catalog/search.py).
"""

from django.db import transaction

from articles.announce import ARTICLE
from articles.models import Article, SearchEntry, SearchWord
from articles.search import spelling
from articles.search.results import engine
from config.lib import indexing
from config.lib.indexing import Document, plain, text_of


class SearchEntryIndex:
    """Stores documents as SearchEntry rows, then lets the engine index them in bulk."""

    def replace(self, kind, pks, documents):
        with transaction.atomic():
            stale = SearchEntry.objects.filter(kind=kind, object_id__in=pks)
            old = list(stale.values_list("pk", flat=True)) if pks else []
            if old:
                engine().forget(old)
                SearchEntry.objects.filter(pk__in=old).delete()
            rows = SearchEntry.objects.bulk_create(_entry(doc) for doc in documents)
            if rows:
                engine().indexed([row.pk for row in rows])
            spelling.remember(documents)

    def clear(self):
        with transaction.atomic():
            engine().clear()
            SearchEntry.objects.all().delete()
            SearchWord.objects.all().delete()  # its trigram index follows (triggers)

    def count(self):
        return SearchEntry.objects.count()


def _entry(doc):
    return SearchEntry(
        kind=doc.kind,
        object_id=doc.object_id,
        slug=doc.slug,
        title=doc.title,
        subtitle=doc.subtitle,
        tags=doc.tags,
        body=doc.body,
        label=doc.label,
        date=doc.date,
    )


def article_documents(pks):
    """Documents for the published ones among `pks`; drafts are never in the index."""
    articles = (
        Article.objects.filter(pk__in=pks, status=Article.Status.PUBLISHED)
        .select_related("category")
        .prefetch_related("tags")
        .defer("body", "toc_html")
        .order_by("pk")
    )
    return [_article_document(article) for article in articles]


def _article_document(article):
    return Document(
        kind=ARTICLE,
        object_id=article.pk,
        slug=article.slug,
        title=plain(article.title),
        subtitle=plain(article.dek),
        tags=plain(" ".join(sorted(tag.name for tag in article.tags.all()))),
        body=text_of(article.body_html),
        label=article.category.name,
        date=article.published_at,
    )


def _published_ids():
    rows = Article.objects.filter(status=Article.Status.PUBLISHED).order_by("pk")
    return rows.values_list("pk", flat=True).iterator(chunk_size=indexing.BATCH)


def connect():
    """Keep the index in SearchEntry rows; articles are one kind of document in it.

    Writes announce which articles changed (articles/announce.py), which calls
    `indexing.changed("article", pks)`; the catalog registers and announces its own kind.
    """
    indexing.register_backend(SearchEntryIndex())
    indexing.register_kind(ARTICLE, documents=article_documents, all_ids=_published_ids)

"""The search index: `SearchEntry` rows plus the database's full-text index beside them.

This is the backend of config/lib/indexing.py: apps describe their documents there and say
when rows change; this module stores them. Articles are one kind of document, described
here; the catalog describes its own (models_catalog/search.py).
"""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from articles.models import Article, Category, SearchEntry, TaggedArticle
from articles.search.results import engine
from config.lib import indexing
from config.lib.indexing import Document, plain, text_of
from config.lib.tagging import tags_changed

ARTICLE = SearchEntry.Kind.ARTICLE.value


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

    def clear(self):
        with transaction.atomic():
            engine().clear()
            SearchEntry.objects.all().delete()

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


# -- Keeping articles current -------------------------------------------------------------


def article_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        indexing.changed(ARTICLE, [instance.pk])


def article_deleted(sender, instance, **kwargs):
    indexing.changed(ARTICLE, [instance.pk])


def article_tags_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if action != "post_clear" and not pk_set:
        return  # taggit's set() sends post_add even when it added nothing
    indexing.changed(ARTICLE, list(pk_set or []) if reverse else [instance.pk])


def category_saved(sender, instance, raw=False, **kwargs):
    if not raw:  # the label only: one UPDATE however many articles the category holds
        SearchEntry.objects.filter(
            kind=ARTICLE, object_id__in=instance.articles.values("pk")
        ).update(label=instance.name)


def tags_renamed(sender, tag_ids, **kwargs):
    """A tag merge or rename: re-index the articles that carry the tags."""
    rows = Article.objects.filter(tags__in=tag_ids).values_list("pk", flat=True).distinct()
    indexing.changed(ARTICLE, list(rows))


def connect():
    indexing.register_backend(SearchEntryIndex())
    indexing.register_kind(ARTICLE, documents=article_documents, all_ids=_published_ids)
    uid = "articles.search."
    post_save.connect(article_saved, sender=Article, dispatch_uid=uid + "article")
    post_delete.connect(article_deleted, sender=Article, dispatch_uid=uid + "article-del")
    m2m_changed.connect(article_tags_changed, sender=TaggedArticle, dispatch_uid=uid + "tags")
    post_save.connect(category_saved, sender=Category, dispatch_uid=uid + "category")
    tags_changed.connect(tags_renamed, dispatch_uid=uid + "tags-renamed")

"""Keeping derived data current when what it was derived from changes.

Inline references bake a title or a model's badge into an article's `body_html`; when the
referenced article or catalog entry changes, the articles that mention it are rendered again
(a plain UPDATE of the derived columns: their own "last modified" stamp does not move).
"""

from django.db.models import Q
from django.utils import timezone

from config.lib import cache, indexing
from config.lib.tagging import tags_changed


def rerender(articles, reindex=False):
    """Render `articles` again; `reindex` also rewrites their search entries (body text)."""
    from articles.models import Article

    articles = list(articles)
    for article in articles:
        article.render()
        Article.all_objects.filter(pk=article.pk).update(
            body_html=article.body_html, toc_html=article.toc_html, rerender_at=article.rerender_at
        )
        article.store_references()
    if reindex:
        indexing.changed("article", [article.pk for article in articles])


def references_refresh_if_due(article):
    """Render `article` again if an article it references was scheduled to go live by now.

    Called by the pages that show a body, on the row they already loaded: no query unless due.
    """
    if article.rerender_at is not None and article.rerender_at <= timezone.now():
        rerender([article], reindex=True)
    return article


def references_refresh_due():
    """Render again every body that `references_refresh_if_due` would; returns how many."""
    from articles.models import Article

    due = list(Article.all_objects.filter(rerender_at__lte=timezone.now()))
    rerender(due)
    return len(due)


def _waiting_for(kind, slug):
    from articles.models import Article, PendingReference

    waiting = PendingReference.objects.filter(kind=kind, slug=slug.lower()).values("article")
    return Article.all_objects.filter(pk__in=waiting)


def article_saved(sender, instance, raw=False, **kwargs):
    # Published, unpublished, scheduled, trashed, restored or renamed: the bodies that name
    # it (and their search entries, which hold their text) follow.
    if raw:
        return
    rerender(instance.mentioned_by.exclude(pk=instance.pk), reindex=True)
    rerender(_waiting_for("article", instance.slug).exclude(pk=instance.pk), reindex=True)


def article_deleting(sender, instance, **kwargs):
    instance._mentioned_by = list(instance.mentioned_by.exclude(pk=instance.pk))


def article_deleted(sender, instance, **kwargs):
    rerender(getattr(instance, "_mentioned_by", []), reindex=True)


def aimodel_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    rerender(instance.mentioned_in.all())
    rerender(_waiting_for("model", instance.slug))


def models_changed(pks):
    """What `aimodel_saved` does, for catalog entries written without per-row signals."""
    from articles.models import Article, PendingReference
    from models_catalog.models import AIModel

    pks = list(pks)
    for start in range(0, len(pks), 500):  # bounded IN lists, whatever the import's size
        chunk = pks[start : start + 500]
        slugs = [
            slug.lower()
            for slug in AIModel.objects.filter(pk__in=chunk).values_list("slug", flat=True)
        ]
        waiting = PendingReference.objects.filter(kind="model", slug__in=slugs).values("article")
        affected = Article.all_objects.filter(
            Q(pk__in=waiting) | Q(mentioned_models__in=chunk)
        ).distinct()
        rerender(affected)


def aimodels_imported(sender, pks, **kwargs):
    models_changed(pks)


def organization_saved(sender, instance, raw=False, **kwargs):
    # A model's badge in an article names its organisation.
    if not raw:
        models_changed(instance.models.values_list("pk", flat=True))


def aimodel_deleting(sender, instance, **kwargs):
    # Collect before the M2M rows cascade away; render after the delete commits its rows.
    instance._mentioned_in = list(instance.mentioned_in.all())


def aimodel_deleted(sender, instance, **kwargs):
    rerender(getattr(instance, "_mentioned_in", []))


def _bumper(*halves):
    def handler(sender, raw=False, **kwargs):
        if not raw:
            cache.bump(*halves)

    return handler


# Article-side data only changes article-side pages. The catalog keeps its own pages fresh
# (models_catalog/signals.py); these handlers re-render articles that show catalog data.
_bump_articles = _bumper("articles")


def connect():
    from django.db.models.signals import m2m_changed, post_delete, post_save
    from taggit.models import Tag

    from articles.models import Article, Author, Category, Image, TagDescription, TaggedArticle

    cache.register_due_source(Article.objects.next_go_live)
    for model in [Article, Category, Author, Image, TagDescription, TaggedArticle, Tag]:
        uid = f"cache.articles.{model._meta.label}"
        post_save.connect(_bump_articles, sender=model, dispatch_uid=uid + ".save", weak=False)
        post_delete.connect(_bump_articles, sender=model, dispatch_uid=uid + ".delete", weak=False)
    m2m_changed.connect(
        _bump_articles, sender=TaggedArticle, dispatch_uid="cache.m2m.a", weak=False
    )
    tags_changed.connect(_bump_articles, dispatch_uid="cache.articles.tags", weak=False)

    _connect_references()


def _connect_references():
    """Catalog writes come from outside this app: signals are how articles hear of them."""
    from django.db.models.signals import post_delete, post_save, pre_delete

    from articles.models import Article
    from models_catalog.models import AIModel, Organization
    from models_catalog.signals import entries_imported

    post_save.connect(article_saved, sender=Article, dispatch_uid="articles.refs.article")
    pre_delete.connect(article_deleting, sender=Article, dispatch_uid="articles.refs.a_pre_del")
    post_delete.connect(article_deleted, sender=Article, dispatch_uid="articles.refs.a_post_del")
    post_save.connect(aimodel_saved, sender=AIModel, dispatch_uid="articles.refs.aimodel")
    entries_imported.connect(aimodels_imported, dispatch_uid="articles.refs.imported")
    post_save.connect(organization_saved, sender=Organization, dispatch_uid="articles.refs.org")
    pre_delete.connect(aimodel_deleting, sender=AIModel, dispatch_uid="articles.refs.pre_del")
    post_delete.connect(aimodel_deleted, sender=AIModel, dispatch_uid="articles.refs.post_del")

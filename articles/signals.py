"""Keeping derived data current when what it was derived from changes.

Inline references bake a title or a model's badge into an article's `body_html`; when the
referenced article or catalog entry changes, the articles that mention it are rendered again
(a plain UPDATE of the derived columns: their own "last modified" stamp does not move).
"""

from django.dispatch import Signal

# Sent after a bulk tag operation (merge, rename) that bypassed the m2m signals.
tags_changed = Signal()


def rerender(articles):
    from articles.models import Article

    for article in articles:
        article.render()
        Article.all_objects.filter(pk=article.pk).update(
            body_html=article.body_html, toc_html=article.toc_html
        )
        article.store_references()


def _waiting_for(kind, slug):
    from articles.models import Article, PendingReference

    waiting = PendingReference.objects.filter(kind=kind, slug=slug.lower()).values("article")
    return Article.all_objects.filter(pk__in=waiting)


def article_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    rerender(instance.mentioned_by.exclude(pk=instance.pk))
    rerender(_waiting_for("article", instance.slug).exclude(pk=instance.pk))


def aimodel_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    rerender(instance.mentioned_in.all())
    rerender(_waiting_for("model", instance.slug))


def aimodel_deleting(sender, instance, **kwargs):
    # Collect before the M2M rows cascade away; render after the delete commits its rows.
    instance._mentioned_in = list(instance.mentioned_in.all())


def aimodel_deleted(sender, instance, **kwargs):
    rerender(getattr(instance, "_mentioned_in", []))


def connect():
    from django.db.models.signals import post_delete, post_save, pre_delete

    from articles.models import Article
    from models_catalog.models import AIModel

    post_save.connect(article_saved, sender=Article, dispatch_uid="articles.refs.article")
    post_save.connect(aimodel_saved, sender=AIModel, dispatch_uid="articles.refs.aimodel")
    pre_delete.connect(aimodel_deleting, sender=AIModel, dispatch_uid="articles.refs.pre_del")
    post_delete.connect(aimodel_deleted, sender=AIModel, dispatch_uid="articles.refs.post_del")

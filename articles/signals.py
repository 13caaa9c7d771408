"""Writes that come from outside the articles app, and what articles derive from them.

The app's own writes announce themselves (articles/writes.py, articles/announce.py). Signals
remain only for writes this app's code does not make:

- the catalog's entries and organisations, which article bodies show in reference badges
  (AIModel post_save/pre_delete/post_delete, Organization post_save, and `entries_imported`
  after the importer's bulk writes): the bodies naming them are rendered again;
- taggit's writes through an article's tag field (`m2m_changed` on TaggedArticle);
- the shared tag table, which both apps write (Tag rows, and `tags_changed` when tags are
  renamed or merged); a slug a rename takes away is kept as a redirect to the tag.
"""

from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from taggit.models import Tag

from articles import announce
from articles.backoffice.tags import tag_redirect_record
from articles.models import Article, PendingReference, TaggedArticle
from articles.writes import article_rerender
from config.lib.tagging import tags_changed
from models_catalog.models import AIModel, Organization
from models_catalog.signals import entries_imported

CHUNK = 500  # bounded IN lists, whatever the size of an import


def _naming_models(pks, slugs):
    """Articles (trash included) whose bodies name these catalog entries, or wait for them."""
    waiting = PendingReference.objects.filter(kind="model", slug__in=[s.lower() for s in slugs])
    return Article.all_objects.filter(
        Q(pk__in=waiting.values("article")) | Q(mentioned_models__in=pks)
    ).distinct()


def models_changed(pks):
    """Render again every body that names one of these catalog entries (or waits for it)."""
    pks = list(pks)
    for start in range(0, len(pks), CHUNK):
        chunk = pks[start : start + CHUNK]
        slugs = AIModel.objects.filter(pk__in=chunk).values_list("slug", flat=True)
        article_rerender(_naming_models(chunk, list(slugs)))


def aimodel_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        article_rerender(_naming_models([instance.pk], [instance.slug]))


def aimodels_imported(sender, pks, **kwargs):
    models_changed(pks)


def organization_saved(sender, instance, raw=False, **kwargs):
    # A model's badge in an article names its organisation.
    if not raw:
        models_changed(instance.models.values_list("pk", flat=True))


def aimodel_deleting(sender, instance, **kwargs):
    # Collect before the M2M rows cascade away; render after the delete wrote its rows.
    instance._mentioned_in = list(instance.mentioned_in.all())


def aimodel_deleted(sender, instance, **kwargs):
    article_rerender(getattr(instance, "_mentioned_in", []))


def article_tags_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action in {"pre_add", "pre_remove", "pre_clear"}:
        if reverse and pk_set is None:  # a tag cleared of its articles: which, not known
            announce.keys_changed([f"list:tag:{instance.pk}", f"tagged:{instance.pk}"])
        else:
            announce.articles_before(list(pk_set or []) if reverse else [instance.pk])
        return
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if action != "post_clear" and not pk_set:
        return  # taggit's set() sends post_add even when it added nothing
    announce.articles_changed(list(pk_set or []) if reverse else [instance.pk])


def tag_renaming(sender, instance, raw=False, **kwargs):
    # Read before the write: the slug the tag had, if this save changes it.
    if not raw and instance.pk is not None:
        old = Tag.objects.filter(pk=instance.pk).values_list("slug", flat=True).first()
        instance._old_slug = old if old != instance.slug else None


def tag_written(sender, instance=None, raw=False, created=False, **kwargs):
    if raw or created:  # a new tag is on no article yet: tagging one announces the article
        return
    announce.keys_changed([f"tag:{instance.pk}", "names:tags"])  # its name, wherever shown
    old_slug = getattr(instance, "_old_slug", None)
    if old_slug and kwargs.get("signal") is post_save:
        instance._old_slug = None
        tag_redirect_record(old_slug, instance)


def tags_renamed(sender, tag_ids, **kwargs):
    """A tag merge or rename: the tag pages, and the articles that carry the tags."""
    with announce.announcing():
        for pk in tag_ids:
            announce.keys_changed([f"tag:{pk}", f"list:tag:{pk}", f"tagged:{pk}"])
        rows = Article.objects.filter(tags__in=tag_ids).values_list("pk", flat=True).distinct()
        # Their pages and search entries; the tags' keys above cover the lists they move in.
        announce.articles_rerendered(list(rows))


def connect():
    uid = "articles.signals."
    post_save.connect(aimodel_saved, sender=AIModel, dispatch_uid=uid + "aimodel")
    pre_delete.connect(aimodel_deleting, sender=AIModel, dispatch_uid=uid + "aimodel-pre-del")
    post_delete.connect(aimodel_deleted, sender=AIModel, dispatch_uid=uid + "aimodel-del")
    post_save.connect(organization_saved, sender=Organization, dispatch_uid=uid + "org")
    entries_imported.connect(aimodels_imported, dispatch_uid=uid + "imported")
    m2m_changed.connect(article_tags_changed, sender=TaggedArticle, dispatch_uid=uid + "tags")
    pre_save.connect(tag_renaming, sender=Tag, dispatch_uid=uid + "tag-renaming")
    post_save.connect(tag_written, sender=Tag, dispatch_uid=uid + "tag-save")
    post_delete.connect(tag_written, sender=Tag, dispatch_uid=uid + "tag-delete")
    tags_changed.connect(tags_renamed, dispatch_uid=uid + "tags-renamed")

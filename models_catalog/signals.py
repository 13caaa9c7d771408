"""Catalog writes made outside models_catalog/writes.py keep pages and search current too.

writes.py announces every write it makes itself (and these handlers stay quiet meanwhile).
Signals are for the writes that come from elsewhere: taggit's m2m writes through the tag
field (`entry.tags.add(...)`), the shared Tag table (renamed, merged or deleted by the
articles' tag hub or the taggit admin), and direct ORM writes to catalog rows or links from
another app, a shell or a fixture. loaddata's raw saves are the restore's business: it rebuilds the
search index and invalidates every cached page itself.

Catalog data shows on catalog pages and on article pages (badges, "Models in this article"),
so a write invalidates both halves of the page cache.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from taggit.models import Tag

from config.lib import cache
from config.lib.tagging import tags_changed
from models_catalog import search, writes
from models_catalog.models import AIModel, License, OpennessGrade, Organization, TaggedModel

# Other apps listen to it; writes.py sends it after its bulk writes.
entries_imported = writes.entries_imported

__all__ = ["connect", "entries_imported"]


def _elsewhere(raw):
    """True for a write this module must announce: not raw, not one of writes.py's."""
    return not raw and not writes.in_progress()


def _bump(sender, raw=False, **kwargs):
    if _elsewhere(raw):
        cache.bump("articles", "catalog")


def _aimodel_written(sender, instance, raw=False, **kwargs):
    if _elsewhere(raw):
        search.reindex([instance.pk])


def _organization_saved(sender, instance, raw=False, **kwargs):
    if _elsewhere(raw):  # the organisation is searched along with each entry's summary
        search.reindex(instance.models.values_list("pk", flat=True))


def _tags_of_entries_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in {"post_add", "post_remove", "post_clear"} or not _elsewhere(False):
        return
    if action != "post_clear" and not pk_set:
        return  # taggit's set() sends post_add even when it added nothing
    search.reindex(list(pk_set or []) if reverse else [instance.pk])


def _tags_renamed(sender, tag_ids, **kwargs):
    cache.bump("articles", "catalog")
    search.reindex(AIModel.objects.filter(tags__in=tag_ids).values_list("pk", flat=True))


def connect():
    search.register()
    for model in [AIModel, Organization, License, OpennessGrade, TaggedModel, Tag]:
        uid = f"catalog.cache.{model._meta.label}"
        post_save.connect(_bump, sender=model, dispatch_uid=uid + ".save")
        post_delete.connect(_bump, sender=model, dispatch_uid=uid + ".delete")
    m2m_changed.connect(_bump, sender=TaggedModel, dispatch_uid="catalog.cache.m2m")
    for name in ("input_modalities", "output_modalities"):
        through = getattr(AIModel, name).through
        m2m_changed.connect(_bump, sender=through, dispatch_uid=f"catalog.cache.{name}")
    uid = "catalog.search."
    post_save.connect(_aimodel_written, sender=AIModel, dispatch_uid=uid + "aimodel")
    post_delete.connect(_aimodel_written, sender=AIModel, dispatch_uid=uid + "aimodel-del")
    post_save.connect(_organization_saved, sender=Organization, dispatch_uid=uid + "org")
    m2m_changed.connect(_tags_of_entries_changed, sender=TaggedModel, dispatch_uid=uid + "tags")
    tags_changed.connect(_tags_renamed, dispatch_uid=uid + "tags-renamed")

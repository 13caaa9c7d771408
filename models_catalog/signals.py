"""The catalog keeps its own pages and search entries current.

Catalog data shows on catalog pages and on article pages (badges, "Models in this article"),
so a catalog write invalidates both halves of the page cache. Signals are used where a write
can come from outside this app's own code (the admin's inlines, taggit, the tag vocabulary).
"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal
from taggit.models import Tag

from config.lib import cache
from config.lib.tagging import tags_changed
from models_catalog import search
from models_catalog.models import AIModel, License, OpennessGrade, Organization, TaggedModel

# Sent by the importer after its bulk writes, with `pks`: the entries it created or changed
# (their fields, tags or grades). Other apps listen to keep what they derive current.
entries_imported = Signal()


def _bump(sender, raw=False, **kwargs):
    if not raw:
        cache.bump("articles", "catalog")


def _aimodel_written(sender, instance, raw=False, **kwargs):
    if not raw:
        search.reindex([instance.pk])


def _organization_saved(sender, instance, raw=False, **kwargs):
    if not raw:  # the organisation is searched along with each entry's summary
        search.reindex(instance.models.values_list("pk", flat=True))


def _tags_of_entries_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if action != "post_clear" and not pk_set:
        return  # taggit's set() sends post_add even when it added nothing
    search.reindex(list(pk_set or []) if reverse else [instance.pk])


def _tags_renamed(sender, tag_ids, **kwargs):
    cache.bump("articles", "catalog")
    search.reindex(AIModel.objects.filter(tags__in=tag_ids).values_list("pk", flat=True))


def _imported(sender, pks, **kwargs):
    cache.bump("articles", "catalog")
    search.reindex(pks)


def connect():
    search.register()
    for model in [AIModel, Organization, License, OpennessGrade, TaggedModel, Tag]:
        uid = f"catalog.cache.{model._meta.label}"
        post_save.connect(_bump, sender=model, dispatch_uid=uid + ".save")
        post_delete.connect(_bump, sender=model, dispatch_uid=uid + ".delete")
    m2m_changed.connect(_bump, sender=TaggedModel, dispatch_uid="catalog.cache.m2m")
    uid = "catalog.search."
    post_save.connect(_aimodel_written, sender=AIModel, dispatch_uid=uid + "aimodel")
    post_delete.connect(_aimodel_written, sender=AIModel, dispatch_uid=uid + "aimodel-del")
    post_save.connect(_organization_saved, sender=Organization, dispatch_uid=uid + "org")
    m2m_changed.connect(_tags_of_entries_changed, sender=TaggedModel, dispatch_uid=uid + "tags")
    tags_changed.connect(_tags_renamed, dispatch_uid=uid + "tags-renamed")
    entries_imported.connect(_imported, dispatch_uid=uid + "imported")

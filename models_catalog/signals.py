"""Writes that come from outside the catalog's own code, announced (announce.py).

The catalog's writes announce themselves: writes.py, and the models' save() and delete() for
a row written directly. Signals remain only for what the catalog's code does not write:

- taggit's writes through an entry's tag field (`m2m_changed` on TaggedModel), and links to
  modalities added or removed through the related managers (`entry.input_modalities.add()`);
- the shared tag table, which both apps write (Tag rows, and `tags_changed` when tags are
  renamed or merged by the articles' tag hub).

loaddata's raw saves are the restore's business: it rebuilds the search index and
invalidates every cached page itself.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from taggit.models import Tag

from config.lib.tagging import tags_changed
from models_catalog import announce, search, writes
from models_catalog.models import AIModel, TaggedModel

# Other apps listen to it; writes.py sends it after its bulk writes.
entries_imported = writes.entries_imported

__all__ = ["connect", "entries_imported"]


def _entries_retagged(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if action != "post_clear" and not pk_set:
        return  # taggit's set() sends post_add even when it added nothing
    announce.entries_changed(list(pk_set or []) if reverse else [instance.pk])


def _links_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if not reverse:
        announce.entries_changed([instance.pk])
    elif pk_set:
        announce.entries_changed(pk_set)
    else:
        announce.pages_changed()  # a modality cleared of its entries: which, not known


def _tag_written(sender, instance, raw=False, created=False, **kwargs):
    # A new tag is on no entry yet (tagging one announces that entry): nothing shows it.
    if not raw and not created:
        announce.keys_changed([f"tag:{instance.pk}", "list:models"])  # its name, wherever shown


def _tags_renamed(sender, tag_ids, **kwargs):
    announce.entries_changed(AIModel.objects.filter(tags__in=tag_ids).values_list("pk", flat=True))


def connect():
    search.register()
    uid = "catalog."
    m2m_changed.connect(_entries_retagged, sender=TaggedModel, dispatch_uid=uid + "tags")
    for name in ("input_modalities", "output_modalities"):
        through = getattr(AIModel, name).through
        m2m_changed.connect(_links_changed, sender=through, dispatch_uid=uid + name)
    post_save.connect(_tag_written, sender=Tag, dispatch_uid=uid + "tag.save")
    post_delete.connect(_tag_written, sender=Tag, dispatch_uid=uid + "tag.delete")
    tags_changed.connect(_tags_renamed, dispatch_uid=uid + "tags-renamed")

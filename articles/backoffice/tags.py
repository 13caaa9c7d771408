"""Writes and look-ups on the shared tag vocabulary: merge, rename, prefix suggestions.

A tag's old slug keeps working: a merge and a rename each leave a `TagRedirect` from the
slug that went away to the tag that carries on, and its page answers with a permanent
redirect (articles/public/views.py).
"""

from django.db import transaction
from django.db.models import Min
from django.db.models.functions import Lower
from taggit.models import Tag

from articles.models import TagDescription, TaggedArticle, TagRedirect
from config.lib.tagging import normalize_tag_name, tags_changed
from models_catalog.models import TaggedModel

SUGGESTION_LIMIT = 10
THROUGH_MODELS = [TaggedArticle, TaggedModel]  # everything that carries a tag, in both apps


def tag_suggestions(prefix, limit=SUGGESTION_LIMIT):
    """Tags whose name starts with `prefix` (any case), A–Z, capped at `limit`.

    The range condition on LOWER(name) is served by the unique expression index
    `taggit_tag_name_lower` on both SQLite and PostgreSQL, so this stays fast with tens of
    thousands of tags; the exact `istartswith` check then trims the range to true prefixes.
    """
    prefix = normalize_tag_name(prefix).lower()
    if not prefix:
        return Tag.objects.none()
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return (
        Tag.objects.annotate(key=Lower("name"))
        .filter(key__gte=prefix, key__lt=upper, name__istartswith=prefix)
        .order_by("key")[:limit]
    )


@transaction.atomic
def tag_merge(survivor, others):
    """Retag everything tagged with any of `others` as `survivor`, then delete `others`.

    An item that had several of the tags keeps exactly one. The description of the first
    merged tag that has one is kept when the survivor has none. One transaction: on any error
    nothing changes.
    """
    ids = [tag.pk for tag in others if tag.pk != survivor.pk]
    if not ids:
        return 0
    moved = 0
    for through in THROUGH_MODELS:
        rows = through.objects.filter(tag_id__in=ids)
        already = through.objects.filter(tag=survivor).values("content_object_id")
        rows.filter(content_object_id__in=already).delete()
        keep = rows.values("content_object_id").annotate(first=Min("pk")).values("first")
        through.objects.filter(tag_id__in=ids).exclude(pk__in=keep).delete()
        moved += through.objects.filter(tag_id__in=ids).update(tag=survivor)
    if not TagDescription.objects.filter(tag=survivor).exclude(description="").exists():
        donor = TagDescription.objects.filter(tag_id__in=ids).exclude(description="").first()
        if donor:
            TagDescription.objects.update_or_create(
                tag=survivor, defaults={"description": donor.description}
            )
    for tag in others:
        if tag.pk != survivor.pk:
            tag_redirect_record(tag.slug, survivor)
    TagRedirect.objects.filter(tag_id__in=ids).update(tag=survivor)  # older slugs follow
    Tag.objects.filter(pk__in=ids).delete()

    tags_changed.send(sender=Tag, tag_ids=[survivor.pk, *ids])
    return moved


def tag_is_used(tag):
    return any(through.objects.filter(tag=tag).exists() for through in THROUGH_MODELS)


def tag_redirect_record(old_slug, tag):
    """From now on `old_slug` leads to `tag` (a rename or a merge); its own slug never does."""
    if old_slug and old_slug != tag.slug:
        TagRedirect.objects.update_or_create(old_slug=old_slug, defaults={"tag": tag})
    TagRedirect.objects.filter(old_slug=tag.slug).delete()

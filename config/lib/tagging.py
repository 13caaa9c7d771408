"""One tag vocabulary for the whole site.

Both apps tag through typed through-models into taggit's shared `Tag` table. Names are
normalised before lookup so that "Llama 3.1", "llama 3.1" and " LLAMA 3.1 " are one tag:
surrounding white space is stripped, inner runs collapse to one space, and lookups ignore case
(`TAGGIT_CASE_INSENSITIVE`; a unique index on LOWER(name) makes the database agree).
"""

import csv
import re

from django.db.models.functions import Lower
from django.db.models.signals import post_save
from django.dispatch import Signal
from django.urls import reverse
from taggit.forms import TagWidget
from taggit.managers import TaggableManager, _TaggableManager
from taggit.models import Tag

_SPACES = re.compile(r"\s+")
MAX_TAG_LENGTH = 100

# Sent with `tag_ids` when tags were renamed or merged: a bulk operation that bypasses the
# m2m signals of every item carrying them. Each app re-derives what it keeps from tag names.
tags_changed = Signal()


def _tag_saved(sender, instance, created=False, raw=False, **kwargs):
    if not (created or raw):  # a rename, from the tag admin or anywhere else
        tags_changed.send(sender=Tag, tag_ids=[instance.pk])


post_save.connect(_tag_saved, sender=Tag, dispatch_uid="tagging.tag-renamed")


def normalize_tag_name(name):
    """Strip, collapse white space, cap the length; '' when nothing is left."""
    return _SPACES.sub(" ", str(name)).strip()[:MAX_TAG_LENGTH]


def parse_tags(value):
    """Split user input into normal names (TAGGIT_TAGS_FROM_STRING).

    Commas separate tags, or semicolons when there is no comma; double quotes keep a comma
    inside a name. Unlike taggit's default, spaces never split: "Llama 3.1" is one tag.
    """
    text = _SPACES.sub(" ", str(value))
    separator = "," if "," in text else ";"
    try:
        fields = next(csv.reader([text], delimiter=separator, skipinitialspace=True), [])
    except csv.Error:
        fields = text.split(separator)
    seen, result = set(), []
    for name in map(normalize_tag_name, fields):
        if name and name.lower() not in seen:
            seen.add(name.lower())
            result.append(name)
    return sorted(result, key=str.lower)


def format_tags(tags):
    """The inverse of `parse_tags` (TAGGIT_STRING_FROM_TAGS): quoted where a name needs it."""
    names = []
    for tag in tags:
        name = tag.name
        if any(char in name for char in ',;"'):
            name = '"' + name.replace('"', '""') + '"'
        names.append(name)
    return ", ".join(names)


class _NormalizingTagManager(_TaggableManager):
    def _to_tag_model_instances(self, tags, tag_kwargs):
        cleaned, seen = [], set()
        for tag in tags:
            if isinstance(tag, str):
                tag = normalize_tag_name(tag)
                if not tag or tag.lower() in seen:
                    continue
                seen.add(tag.lower())
            cleaned.append(tag)
        return super()._to_tag_model_instances(cleaned, tag_kwargs)

    def remove(self, *tags):
        names = {normalize_tag_name(t).lower() for t in tags if isinstance(t, str)}
        objects = [t for t in tags if isinstance(t, Tag)]
        if names:
            objects += list(Tag.objects.annotate(key=Lower("name")).filter(key__in=names))
        if objects:
            super().remove(*{tag.name for tag in objects})


def SharedTags(through, **kwargs):  # noqa: N802 - reads like the field class it builds
    """A TaggableManager on the shared vocabulary with name normalisation."""
    return TaggableManager(through=through, manager=_NormalizingTagManager, **kwargs)


class TagAutocompleteWidget(TagWidget):
    """taggit's comma-separated text input, with suggestions from the shared vocabulary."""

    template_name = "widgets/tag_autocomplete.html"

    class Media:
        js = ["js/tag-autocomplete.js"]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        widget_attrs["data-suggest-url"] = reverse("admin:taggit_tag_suggest")
        widget_attrs["list"] = f"{widget_attrs.get('id', name)}-suggestions"
        widget_attrs["autocomplete"] = "off"
        widget_attrs.setdefault("size", 60)
        return context

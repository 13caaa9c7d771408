"""One tag vocabulary for the whole site.

Both apps tag through typed through-models into taggit's shared `Tag` table. Names are
normalised before lookup so that "Llama 3.1", "llama 3.1" and " LLAMA 3.1 " are one tag:
surrounding white space is stripped, inner runs collapse to one space, and lookups ignore case
(`TAGGIT_CASE_INSENSITIVE`; a unique index on LOWER(name) makes the database agree).

A tag is a name, so config/lib/text.py's LINE rule applies: the tag field of a form refuses a
control character or a direction override (`parse_tags`), and every other write strips it
(`normalize_tag_name`, and a pre_save guard on `Tag` for writes that skip both).
"""

import csv
import re

from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.db.models.signals import post_save, pre_save
from django.dispatch import Signal
from django.urls import reverse
from taggit.forms import TagWidget
from taggit.managers import TaggableManager
from taggit.models import Tag

from config.lib import text
from config.lib.adapters import TaggableManagerBase

_SPACES = re.compile(r"\s+")
_LINE_BREAKS = re.compile(r"[\t\r\n]+")
MAX_TAG_LENGTH = 100

# Sent with `tag_ids` when tags were renamed or merged: a bulk operation that bypasses the
# m2m signals of every item carrying them. Each app re-derives what it keeps from tag names.
tags_changed = Signal()


def _tag_saved(sender, instance, created=False, raw=False, **kwargs):
    if not (created or raw):  # a rename, from the tag admin or anywhere else
        tags_changed.send(sender=Tag, tag_ids=[instance.pk])


post_save.connect(_tag_saved, sender=Tag, dispatch_uid="tagging.tag-renamed")


def normalize_tag_name(name):
    """Clean, strip, collapse white space, cap the length; '' when nothing is left."""
    return _SPACES.sub(" ", text.clean(str(name), text.LINE)).strip()[:MAX_TAG_LENGTH]


def tag_name_problem(name):
    """Why `name` cannot be a tag as typed (forms and imports refuse it), or None."""
    message = text.problem(name, text.LINE)
    if message is None:
        return None
    return f"The tag “{normalize_tag_name(name)}” {message[0].lower()}{message[1:]}"


def parse_tags(value):
    """Split user input into normal names (TAGGIT_TAGS_FROM_STRING).

    Commas separate tags, or semicolons when there is no comma; double quotes keep a comma
    inside a name. Unlike taggit's default, spaces never split: "Llama 3.1" is one tag.
    A forbidden character raises ValidationError, which the form shows on the tag field.
    """
    # Only the white space csv needs gone; the rest is normalised per name, after the check.
    value = _LINE_BREAKS.sub(" ", str(value))
    separator = "," if "," in value else ";"
    try:
        fields = next(csv.reader([value], delimiter=separator, skipinitialspace=True), [])
    except csv.Error:
        fields = value.split(separator)
    for name in fields:  # a form's tag field: say what is wrong rather than strip it
        if message := tag_name_problem(name):
            raise ValidationError(message, code="forbidden_character")
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


def _normal_names(tags):
    """`tags` with each name normalised and case-insensitive repeats dropped; Tags kept."""
    cleaned, seen = [], set()
    for tag in tags:
        if isinstance(tag, str):
            tag = normalize_tag_name(tag)
            if not tag or tag.lower() in seen:
                continue
            seen.add(tag.lower())
        cleaned.append(tag)
    return cleaned


class _NormalizingTagManager(TaggableManagerBase):
    """Tag names are normalised on their way in, through the manager's public methods."""

    def add(self, *tags, **kwargs):
        super().add(*_normal_names(tags), **kwargs)

    def set(self, tags, **kwargs):
        super().set(_normal_names(tags), **kwargs)

    def remove(self, *tags):
        names = {normalize_tag_name(t).lower() for t in tags if isinstance(t, str)}
        objects = [t for t in tags if isinstance(t, Tag)]
        if names:
            objects += list(Tag.objects.annotate(key=Lower("name")).filter(key__in=names))
        if objects:
            super().remove(*{tag.name for tag in objects})


def _clean_tag(sender, instance, **kwargs):
    text.clean_instance(instance)


pre_save.connect(_clean_tag, sender=Tag, dispatch_uid="config.lib.tagging.clean_tag")


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

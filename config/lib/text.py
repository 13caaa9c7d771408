"""One rule for text that enters the database, and for text that leaves it as XML (issue 12).

Two kinds of text, decided by the model field that stores it:

- LINE: every CharField (names, titles, slugs, tags, alt text, captions, URLs). A form or an
  import *refuses* a forbidden character with a message naming it; a path with nobody to tell
  (a model's save(), a restore, the data migration) strips it.
- TEXT: every TextField (Markdown bodies, summaries, descriptions, notes). Forbidden
  characters are *stripped* on every path: a pasted \\x0c in a long article is not worth a
  refused form.

Forbidden in both: C0 controls other than tab and newline (CR LF and a lone CR become LF),
DEL, C1 controls, NUL (PostgreSQL cannot store it), lone surrogates (UTF-8 cannot encode them)
and U+FFFE/U+FFFF; none of these can appear in XML 1.0, so one stored \\x01 made every feed
that showed it answer 500. Forbidden in LINE only: the bidirectional overrides and isolates
U+202A–U+202E and U+2066–U+2069, which make a name display in an order other than its real
one (a slug or tag that reads "txt.exe" backwards); right-to-left prose needs no override.

This module imports no app: apps use `CleanTextMixin` on their models, and the importer, the
restore and the feeds call the functions directly.
"""

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, models, transaction
from django.utils.text import slugify

LINE, TEXT = "line", "text"
_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_NOT_CHARACTERS = "\ud800-\udfff\ufffe\uffff"  # lone surrogates; not characters in XML
_BIDI = "\u202a-\u202e\u2066-\u2069"
_FORBIDDEN = {
    TEXT: re.compile(f"[{_CONTROLS}{_NOT_CHARACTERS}]"),
    LINE: re.compile(f"[{_CONTROLS}{_NOT_CHARACTERS}{_BIDI}]"),
}
_CARRIAGE_RETURNS = re.compile("\r\n?")
# What the database can be asked to find (the data migration): no database can hold a lone
# surrogate (nor be sent one), and PostgreSQL refuses NUL in any string, a pattern included.
_STORABLE = "\r\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff"


def clean(value, kind=TEXT):
    """`value` with CR normalised to LF and every forbidden character of `kind` removed."""
    return _FORBIDDEN[kind].sub("", _CARRIAGE_RETURNS.sub("\n", value))


def problem(value, kind=LINE):
    """A sentence naming the first forbidden character in `value`, or None when it is clean."""
    found = _FORBIDDEN[kind].search(value)
    if found is None:
        return None
    return f"Contains {describe(found.group())} at position {found.start() + 1}; remove it."


def describe(char):
    """'U+0001 (an invisible control character)' and the like."""
    point = ord(char)
    if 0xD800 <= point <= 0xDFFF:
        what = "a lone surrogate, not a character"
    elif point in (0xFFFE, 0xFFFF):
        what = "not a character"
    elif 0x202A <= point <= 0x202E or 0x2066 <= point <= 0x2069:
        what = "an invisible control that reverses the text's direction"
    else:
        what = "an invisible control character"
    return f"U+{point:04X} ({what})"


def validate_line(value):
    """Validator: refuse a name, title, slug or tag holding a forbidden character."""
    if isinstance(value, str) and (message := problem(value, LINE)):
        raise ValidationError(message, code="forbidden_character")


def kind_of(field):
    """TEXT for a TextField, LINE for any other CharField (slugs, URLs…), else None."""
    if isinstance(field, models.TextField):
        return TEXT
    if isinstance(field, models.CharField):
        return LINE
    return None


def text_fields(model):
    """[(field, kind)] for every stored text column of `model`."""
    return [(f, kind_of(f)) for f in model._meta.concrete_fields if kind_of(f)]


def clean_instance(instance):
    """Strip forbidden characters from every text field of `instance`; the names changed."""
    changed = []
    for field, kind in text_fields(type(instance)):
        value = getattr(instance, field.attname)
        if isinstance(value, str) and (cleaned := clean(value, kind)) != value:
            setattr(instance, field.attname, cleaned)
            changed.append(field.name)
    return changed


class CleanTextMixin:
    """For models: forms refuse forbidden characters in LINE fields and strip them from TEXT
    fields (through `full_clean`, which every ModelForm calls); `save()` strips them from
    every field whatever the path, so nothing can store one. Bulk writes bypass save(): call
    `clean`/`problem` there (the importer does)."""

    def clean_fields(self, exclude=None):
        errors = {}
        for field, kind in text_fields(type(self)):
            value = getattr(self, field.attname)
            if (exclude and field.name in exclude) or not isinstance(value, str):
                continue
            if kind == TEXT:
                setattr(self, field.attname, clean(value, TEXT))
            elif message := problem(value, LINE):
                errors[field.name] = [ValidationError(message, code="forbidden_character")]
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        clean_instance(self)
        super().save(*args, **kwargs)


def clean_stored(model, using="default"):
    """Clean every stored value of `model` that breaks the rule; returns how many (migrations).

    The database finds the rows (a regular expression; Django gives SQLite one), so a large
    table is read once by the database rather than row by row in Python. A cleaned name that
    another row already holds (a unique column) gets U+FFFD in place of each bad character
    instead, so both rows survive and the replacement shows where something was removed.
    """
    storable = _STORABLE + ("\x00" if connections[using].vendor == "sqlite" else "")
    rows, count = model._base_manager.using(using), 0
    for field, kind in text_fields(model):
        pattern = f"[{storable}{_BIDI if kind == LINE else ''}]"
        found = rows.filter(**{f"{field.attname}__regex": pattern})
        for pk, value in found.values_list("pk", field.attname).iterator():
            try:
                with transaction.atomic(using=using):
                    rows.filter(pk=pk).update(**{field.attname: clean(value, kind)})
            except IntegrityError:
                marked = _FORBIDDEN[kind].sub("\ufffd", _CARRIAGE_RETURNS.sub("\n", value))
                rows.filter(pk=pk).update(**{field.attname: marked})
            count += 1
    return count


def xml_safe(value):
    """`value` (a str, or lists, tuples and dicts of them) with no character XML 1.0 forbids.

    Output side of the rule: feeds built from rows stored before it existed still parse.
    """
    if isinstance(value, str):
        return clean(value, TEXT)
    if isinstance(value, list | tuple):
        return [xml_safe(item) for item in value]
    if isinstance(value, dict):
        return {key: xml_safe(item) for key, item in value.items()}
    return value


def slug_from_title(title, max_length=200):
    """'Llama 3.1 405B' -> 'llama-3-1-405b': a dot separates, as in version numbers.

    Django's slugify (and the admin's URLify) drop the dot and run the numbers together
    ("llama-31-405b"); config/static/js/slug-keeps-versions.js makes the admin agree.
    """
    return slugify(str(title).replace(".", " "))[:max_length].strip("-")

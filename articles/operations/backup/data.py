"""data.json checked before a row of it reaches the database, and loaded with a clear message.

Shapes are checked first (a list of {"model", "pk", "fields"} objects; known models only,
never the excluded ones; known fields; every field the database needs; text where text
belongs), so a malformed file is refused with the rows it names. Text then goes through
config/lib/text.py's rule the way the data migration applies it (stripped, since nobody can be
asked to retype a restored row), and the cleaned values are reported. What only the database
can tell (a foreign key to nothing, a duplicate) is caught while loading and reported too.
"""

import json

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from django.core.management import CommandError, call_command
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError
from django.db.models import NOT_PROVIDED

from articles.operations.backup.archive import BackupError
from config.lib import text
from models_catalog.models import MODALITIES

MAX_PROBLEMS = 20  # listed in the message; the count says how many more


def check_rows(rows, excluded):
    """Validate and clean `rows` (data.json, parsed) in place; [(label, pk, field)] cleaned."""
    if not isinstance(rows, list):
        raise BackupError("data.json must hold a list of rows.")
    problems, cleaned = [], []
    for number, row in enumerate(rows, start=1):
        _upgrade(row)
        problems += _row_problems(number, row, excluded)
        if not problems:
            cleaned += _clean_row(row)
    if problems:
        shown = problems[:MAX_PROBLEMS]
        if len(problems) > MAX_PROBLEMS:
            shown.append(f"… and {len(problems) - MAX_PROBLEMS} more.")
        raise BackupError("data.json cannot be restored:\n  " + "\n  ".join(shown))
    return cleaned


LINKED_MODALITIES = ("input_modalities", "output_modalities")


def _upgrade(row):
    """Bring a row from an older archive to today's shape.

    Archives written before modalities became links (models_catalog migration 0008) hold an
    entry's modalities as `;`-separated text: they become the list of modality codes, as the
    migration made them (unknown words dropped; the five modality rows exist after migrate and
    flush alike).
    """
    if not isinstance(row, dict) or row.get("model") != "models_catalog.aimodel":
        return
    fields = row.get("fields")
    for name in LINKED_MODALITIES if isinstance(fields, dict) else ():
        if isinstance(fields.get(name), str):
            chosen = {part.strip().lower() for part in fields[name].split(";")}
            fields[name] = [code for code in MODALITIES if code in chosen]


def _row_problems(number, row, excluded):
    where = f"row {number}"
    if not isinstance(row, dict) or not isinstance(row.get("fields"), dict):
        return [f"{where}: expected an object with a model and its fields"]
    if set(row) - {"model", "pk", "fields"}:
        return [f"{where}: unexpected keys {sorted(set(row) - {'model', 'pk', 'fields'})}"]
    label = row.get("model")
    model = _model(label)
    if model is None or label.lower().startswith(excluded):
        return [f"{where}: unknown model {label!r}"]
    where = f"{where} ({label} {row.get('pk')!r})"
    fields = {f.name: f for f in [*model._meta.fields, *model._meta.many_to_many]}
    problems = [f"{where}: unknown field {name!r}" for name in row["fields"] if name not in fields]
    for name, field in fields.items():
        value = row["fields"].get(name, NOT_PROVIDED)
        if value is NOT_PROVIDED and _required(field):
            problems.append(f"{where}: missing field {name!r}")
        elif text.kind_of(field) and not (isinstance(value, str) or _nothing(field, value)):
            problems.append(f"{where}: field {name!r} must be text")
    return problems


def _model(label):
    if not isinstance(label, str):
        return None
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _required(field):
    """True for a field the model cannot do without (Django would store NULL or '' instead)."""
    auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    optional_text = field.empty_strings_allowed and field.blank
    return not (
        field.primary_key
        or field.many_to_many
        or field.null
        or field.has_default()
        or auto
        or optional_text
    )


def _nothing(field, value):
    return value is NOT_PROVIDED or (value is None and field.null)


def _clean_row(row):
    """Strip forbidden characters from every text field of `row`; what was cleaned."""
    model, cleaned = apps.get_model(row["model"]), []
    for field, kind in text.text_fields(model):
        value = row["fields"].get(field.name)
        if isinstance(value, str) and (clean := text.clean(value, kind)) != value:
            row["fields"][field.name] = clean
            cleaned.append((row["model"], row.get("pk"), field.name))
    return cleaned


def load(rows, path):
    """Write `rows` to `path` and load them (loaddata: raw saves, natural keys, checks)."""
    path.write_text(json.dumps(rows), encoding="utf-8")
    try:
        call_command("loaddata", str(path), verbosity=0)
    except (
        DeserializationError, DatabaseError, ValidationError, ObjectDoesNotExist,
        FieldDoesNotExist, CommandError, ValueError, TypeError, LookupError, RecursionError,
    ) as error:  # fmt: skip
        message = str(error).replace(str(path), "data.json").strip().splitlines()
        raise BackupError(f"data.json cannot be restored: {' '.join(message)}") from None

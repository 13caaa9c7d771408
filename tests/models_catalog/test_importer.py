import json
from decimal import Decimal
from unittest import mock

import pytest
from django.core.management import CommandError, call_command

from config.lib import indexing
from models_catalog.models import AIModel, License, OpennessGrade, Organization, TaggedModel
from models_catalog.signals import entries_imported
from models_catalog.transfer import exporter
from models_catalog.transfer.importer import ImportFailed, import_file

pytestmark = pytest.mark.django_db

GOOD = [
    {
        "name": "Llama 3.1 8B",
        "organization": "Meta",
        "family": "Llama 3.1",
        "kind": "language",
        "release_date": "2024-07-23",
        "license": "Llama 3.1 Community License",
        "weights": "gated",
        "parameters": "8B",
        "context_window": "128k",
        "input_modalities": "text",
        "output_modalities": "text",
        "api": "no",
        "tags": "LLM;Open source",
        "openness": {
            "license": {"grade": "partial", "link": "https://llama.com/", "notes": "Custom."},
            "weights_basemodel": "partial",
        },
    },
    {
        "name": "GPT-4o",
        "slug": "gpt-4o",
        "organization": "OpenAI",
        "kind": "multimodal",
        "release_date": "2024-05",
        "weights": "closed",
        "input_modalities": "text;image;audio",
        "output_modalities": "text;audio",
        "api": "yes",
        "price_input_per_mtok": 5,
        "price_output_per_mtok": "15.00",
        "tags": "LLM",
    },
]


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def errors_of(path):
    with pytest.raises(ImportFailed) as failure:
        import_file(path)
    return [str(e) for e in failure.value.errors]


def test_good_json_file_is_imported(tmp_path):
    result = import_file(write(tmp_path, "models.json", GOOD))
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    llama = AIModel.objects.get(slug="llama-3-1-8b")  # slug derived from the name
    assert llama.parameters == 8_000_000_000 and llama.context_window == 128_000
    assert llama.organization.name == "Meta" and llama.license.name.startswith("Llama")
    assert llama.license.kind == ""  # created as needed; its kind stays unknown
    assert llama.api is False and llama.price_input_per_mtok is None
    assert sorted(t.name for t in llama.tags.all()) == ["LLM", "Open source"]
    assert llama.grade_map() == {"license": "partial", "weights_basemodel": "partial"}
    gpt = AIModel.objects.get(slug="gpt-4o")
    assert gpt.release_date_precision == "month" and gpt.release_date.isoformat() == "2024-05-01"
    assert gpt.price_output_per_mtok == Decimal("15") and gpt.parameters is None
    assert gpt.output_modality_list == ["text", "audio"]


def test_reimporting_the_same_file_changes_nothing(tmp_path):
    path = write(tmp_path, "models.json", GOOD)
    import_file(path)
    stamps = dict(AIModel.objects.values_list("slug", "updated_at"))
    result = import_file(path)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert dict(AIModel.objects.values_list("slug", "updated_at")) == stamps
    assert AIModel.objects.count() == 2 and Organization.objects.count() == 2
    assert OpennessGrade.objects.count() == 2 and TaggedModel.objects.count() == 3


def test_reimport_updates_changed_rows_by_slug(tmp_path):
    import_file(write(tmp_path, "models.json", GOOD))
    changed = [dict(GOOD[0], context_window=64000, tags="LLM"), GOOD[1]]
    result = import_file(write(tmp_path, "changed.json", changed))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    llama = AIModel.objects.get(slug="llama-3-1-8b")
    assert llama.context_window == 64000 and [t.name for t in llama.tags.all()] == ["LLM"]


def test_jsonl_and_csv(tmp_path):
    jsonl = "\n".join(json.dumps(row) for row in GOOD) + "\n"
    assert import_file(write(tmp_path, "m.jsonl", jsonl)).created == 2
    csv_text = (
        "name,slug,weights,parameters,openness.license,openness.license.link,tags\n"
        "Mistral 7B,mistral-7b,open,7.3B,open,https://mistral.ai/,Open source;LLM\n"
    )
    assert import_file(write(tmp_path, "m.csv", csv_text)).created == 1
    mistral = AIModel.objects.get(slug="mistral-7b")
    assert mistral.parameters == 7_300_000_000
    assert mistral.openness_grades.get().link == "https://mistral.ai/"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"weights": "sometimes"}, "item 2, weights: unknown weights 'sometimes'"),
        ({"release_date": "2024-13"}, "item 2, release_date: '2024-13' is not a real date"),
        ({"release_date": "July 2024"}, "item 2, release_date: 'July 2024' is not a date"),
        ({"parameters": "-7B"}, "item 2, parameters: must not be negative"),
        ({"parameters": -5}, "item 2, parameters: must not be negative"),
        ({"name": ""}, "item 2, name: required"),
        ({"slug": "llama-3-1-8b"}, "item 2, slug: duplicate slug 'llama-3-1-8b' (also item 1)"),
        ({"input_modalities": "text;smell"}, "item 2, input_modalities: unknown modality smell"),
        ({"openness": {"license": "mostly"}}, "item 2, openness.license: 'mostly' is not open"),
        ({"openness": {"vibes": "open"}}, "item 2, openness.vibes: unknown openness dimension"),
        ({"homepage_url": "javascript:alert(1)"}, "item 2, homepage_url:"),
        ({"api": "maybe"}, "item 2, api: 'maybe' is not yes or no"),
        ({"colour": "blue"}, "item 2, colour: unknown column"),
    ],
)
def test_each_bad_row_is_reported_and_nothing_written(tmp_path, change, expected):
    rows = [GOOD[0], dict(GOOD[1], **change)]
    errors = errors_of(write(tmp_path, "bad.json", rows))
    assert any(e.startswith(expected) for e in errors), errors
    assert not AIModel.objects.exists() and not Organization.objects.exists()


def test_all_errors_of_all_rows_are_listed(tmp_path):
    rows = [dict(GOOD[0], weights="x", parameters="lots"), GOOD[1], {"name": ""}]
    errors = errors_of(write(tmp_path, "bad.json", rows))
    assert [e.split(":")[0] for e in errors] == [
        "item 1, weights",
        "item 1, parameters",
        "item 3, name",
    ]


def test_bad_csv_rows_give_line_numbers(tmp_path):
    text = "name,weights,release_date\nGood,open,2024\nBad,open,2024-02-30\n"
    assert errors_of(write(tmp_path, "m.csv", text)) == [
        "line 3, release_date: '2024-02-30' is not a real date"
    ]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("m.json", '[{"name": "A"},', "line 1: malformed JSON"),
        ("m.json", '{"name": "A"}', "file: a .json file must hold a list"),
        ("m.json", '["just a string"]', "item 1: expected an object"),
        ("m.jsonl", '{"name": "A"}\n{"name": \n', "line 2: malformed JSON"),
        ("m.csv", 'name,weights\n"A,open\n', "CSV: malformed CSV"),
        ("m.csv", "name,weights\nA,open,extra\n", "line 2: more values than columns"),
        ("m.csv", "title,weights\nA,open\n", "line 1, title: unknown column"),
        ("m.txt", "name\nA\n", "use a .json, .jsonl or .csv file"),
    ],
)
def test_malformed_files_are_reported(tmp_path, name, content, expected):
    errors = errors_of(write(tmp_path, name, content))
    assert any(expected in e for e in errors), errors
    assert not AIModel.objects.exists()


def test_undecodable_file(tmp_path):
    path = tmp_path / "m.csv"
    path.write_bytes(b"name\n\xff\xfe\n")
    assert "not UTF-8" in errors_of(path)[0]


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv"])
def test_export_import_export_is_identical(tmp_path, fmt):
    import_file(write(tmp_path, "models.json", GOOD))
    first = exporter.render(AIModel.objects.all(), fmt)
    AIModel.objects.all().delete()
    import_file(write(tmp_path, f"export.{fmt}", first))
    assert exporter.render(AIModel.objects.all(), fmt) == first


def test_commands_round_trip_and_report_errors(tmp_path, capsys):
    source = write(tmp_path, "models.json", GOOD)
    call_command("import_models", str(source))
    out = tmp_path / "out.csv"
    call_command("export_models", str(out))
    call_command("import_models", str(out))
    again = tmp_path / "again.csv"
    call_command("export_models", str(again))
    assert out.read_text() == again.read_text()
    bad = write(tmp_path, "bad.json", [{"name": "X", "weights": "nope"}])
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_models", str(bad))
    assert "item 1, weights: unknown weights 'nope'" in capsys.readouterr().err
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_models", str(tmp_path / "missing.json"))


QUERIES_FOR_3000_ROWS = 90  # 76 measured: batches of 1,000 rows, a few queries each


def test_thousands_of_rows_show_progress_in_a_bounded_number_of_queries(
    tmp_path, capsys, django_assert_max_num_queries
):
    rows = [
        dict(GOOD[0], name=f"Model {i}", tags=f"LLM;Batch {i % 7}", openness={"api": "open"})
        for i in range(3000)
    ]
    path = write(tmp_path, "big.json", rows)
    # Counted without what other apps do with the news: `entries_imported`'s listeners and the
    # search index's backend (the articles' SearchEntry) have their own costs. Bulk writes: the
    # count does not grow with the rows (the time is a benchmark's business, not a test's).
    with (
        mock.patch.object(entries_imported, "send"),
        mock.patch.object(indexing, "changed"),
        django_assert_max_num_queries(QUERIES_FOR_3000_ROWS),
    ):
        call_command("import_models", str(path))
    assert AIModel.objects.count() == 3000 and OpennessGrade.objects.count() == 3000
    err = capsys.readouterr().err
    assert "Validating [" in err and "3000/3000" in err


def test_demo_catalog_loads_twice_without_changes():
    call_command("load_demo_catalog")
    counts = (AIModel.objects.count(), Organization.objects.count(), License.objects.count())
    stamps = dict(AIModel.objects.values_list("slug", "updated_at"))
    call_command("load_demo_catalog")
    assert counts == (
        AIModel.objects.count(),
        Organization.objects.count(),
        License.objects.count(),
    )
    assert dict(AIModel.objects.values_list("slug", "updated_at")) == stamps
    assert counts[0] >= 25
    graded = AIModel.objects.filter(openness_grades__isnull=False).distinct().count()
    assert graded >= 12
    for slug in ["llama-3-1-405b", "gpt-4o", "mixtral-8x22b", "claude-3-5-sonnet"]:
        assert AIModel.objects.filter(slug=slug).exists()
    # Unknown facts stay unknown: GPT-4o's size was never disclosed.
    assert AIModel.objects.get(slug="gpt-4o").parameters is None


def test_import_announces_the_entries_it_touched(tmp_path):
    path = write(tmp_path, "models.json", GOOD)
    with mock.patch.object(entries_imported, "send") as send:
        import_file(path)
    assert sorted(send.call_args.kwargs["pks"]) == sorted(
        AIModel.objects.values_list("pk", flat=True)
    )
    with mock.patch.object(entries_imported, "send") as send:
        import_file(path)  # nothing changed, nothing to announce
    assert send.call_args.kwargs["pks"] == []


def test_import_stores_the_derived_openness(tmp_path):
    from models_catalog.models import derive_openness

    import_file(write(tmp_path, "models.json", GOOD))
    for model in AIModel.objects.all():
        expected = derive_openness(model.grade_map(), model.weights)
        assert (model.openness_score, model.openness_class) == expected
    assert AIModel.objects.get(slug="llama-3-1-8b").openness_score == 50  # 2 partial of 2 graded


def test_import_tag_names_follow_the_vocabulary_rule(tmp_path):
    from taggit.models import Tag

    Tag.objects.create(name="Open source", slug="open-source")
    rows = [{**GOOD[0], "tags": ["open   SOURCE ", "  LLM", "llm"]}]
    import_file(write(tmp_path, "models.json", rows))
    llama = AIModel.objects.get(slug="llama-3-1-8b")
    assert sorted(t.name for t in llama.tags.all()) == ["LLM", "Open source"]
    assert Tag.objects.filter(name__iexact="open source").count() == 1


def test_import_renders_the_articles_that_reference_its_entries(tmp_path):
    from tests.factories import ArticleFactory

    waiting = ArticleFactory(body="Before the catalog had it: [[model:llama-3-1-8b]].")
    assert 'href="/models/llama-3-1-8b/"' not in waiting.body_html
    import_file(write(tmp_path, "models.json", GOOD))
    waiting.refresh_from_db()
    assert (
        'href="/models/llama-3-1-8b/"' in waiting.body_html and "Llama 3.1 8B" in waiting.body_html
    )
    renamed = [{**GOOD[0], "slug": "llama-3-1-8b", "name": "Llama 3.1 8B Instruct"}]
    import_file(write(tmp_path, "renamed.json", renamed))
    waiting.refresh_from_db()
    assert "Llama 3.1 8B Instruct" in waiting.body_html

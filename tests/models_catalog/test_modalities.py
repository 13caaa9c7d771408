"""Modalities are a relation (Modality, two many-to-many links per entry), queried with the
ORM: facet counts, filters, the admin's checkboxes, import and export, and the migration that
turned the old `;`-separated text into links."""

import csv
import io
import json

import pytest
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from models_catalog.models import MODALITIES, AIModel, Modality
from models_catalog.transfer import exporter
from models_catalog.transfer.importer import ImportFailed, import_file
from tests.factories import AIModelFactory
from tests.users import make_editor

# (slug, inputs, outputs): every mix of one side, both sides and neither.
ENTRIES = [
    ("chat", "text", "text"),
    ("vision", "text;image", "text"),
    ("painter", "text", "image"),
    ("mirror", "image", "image"),  # image on both sides: still one model
    ("listener", "audio", "text"),
    ("speaker", "text", "audio;text"),
    ("silent", "", ""),
]


@pytest.fixture
def catalog(db):
    return {
        slug: AIModelFactory(slug=slug, input_modalities=inputs, output_modalities=outputs)
        for slug, inputs, outputs in ENTRIES
    }


def facet(client, query=""):
    response = client.get(reverse("catalog:list") + query)
    found = next(f for f in response.context["facets"] if f.param == "modality")
    return {v.value: v.count for v in found.values}, [m.slug for m in response.context["page_obj"]]


def expected_slugs(*codes):
    return sorted(
        slug for slug, ins, outs in ENTRIES if set(codes) & set(f"{ins};{outs}".split(";"))
    )


def test_the_five_modalities_exist_in_order(db):
    assert list(Modality.objects.values_list("code", flat=True)) == MODALITIES
    assert MODALITIES == ["text", "image", "audio", "video", "code"]


def test_facet_counts_count_each_model_once(client, catalog):
    counts, listed = facet(client)
    assert counts == {"text": 5, "image": 3, "audio": 2}  # no model has video or code
    assert len(listed) == len(set(listed)) == len(ENTRIES)


@pytest.mark.parametrize(
    "codes", [["image"], ["audio"], ["text"], ["image", "audio"], ["video"], ["audio", "text"]]
)
def test_filters_match_inputs_or_outputs_once(client, catalog, codes):
    counts, listed = facet(client, "?" + "&".join(f"modality={c}" for c in codes))
    assert sorted(listed) == expected_slugs(*codes)
    assert len(listed) == len(set(listed))  # a model with the modality on both sides
    # Other facets count within the selection; this one still counts the whole catalog (a
    # selected value is shown even at 0).
    assert counts == {"text": 5, "image": 3, "audio": 2} | {c: 0 for c in codes if c == "video"}


def test_detail_and_compare_list_modalities_in_order(client, catalog):
    response = client.get(reverse("catalog:detail", args=["speaker"]))
    assert '<th scope="row">Output</th><td>text, audio</td>' in response.content.decode()
    response = client.get(reverse("catalog:compare") + "?m=vision&m=silent")
    rows = {row.label: [cell.text for cell in row.cells] for row in response.context["rows"]}
    assert rows["Input"] == ["text, image", "unknown"]


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv"])
def test_import_export_round_trip(tmp_path, db, fmt):
    rows = [
        {"name": "A", "input_modalities": "Image; TEXT;image", "output_modalities": "code"},
        {"name": "B", "input_modalities": "video;audio;text;image;code"},
        {"name": "C"},
    ]
    (tmp_path / "in.json").write_text(json.dumps(rows))
    import_file(tmp_path / "in.json")
    stored = AIModel.objects.prefetch_related("input_modalities", "output_modalities")
    by_name = {m.name: (m.input_modality_list, m.output_modality_list) for m in stored}
    assert by_name == {
        "A": (["text", "image"], ["code"]),  # de-duplicated, in the listed order
        "B": (MODALITIES, []),
        "C": ([], []),
    }
    first = exporter.render(AIModel.objects.all(), fmt)
    if fmt == "csv":
        table = {r["name"]: r for r in csv.DictReader(io.StringIO(first))}
        assert table["A"]["input_modalities"] == "text;image"  # files keep the joined text
    AIModel.objects.all().delete()
    (tmp_path / f"out.{fmt}").write_text(first)
    import_file(tmp_path / f"out.{fmt}")
    assert exporter.render(AIModel.objects.all(), fmt) == first


def test_reimporting_the_same_modalities_changes_nothing(tmp_path, db):
    path = tmp_path / "m.json"
    path.write_text(json.dumps([{"name": "A", "input_modalities": "image;text"}]))
    import_file(path)
    assert import_file(path).unchanged == 1
    path.write_text(json.dumps([{"name": "A", "input_modalities": "text"}]))
    result = import_file(path)
    assert result.changes[0].fields == {"input_modalities": (("text", "image"), ("text",))}


@pytest.mark.parametrize("value", ["smell", "text;smell", "texts", "text image"])
def test_unknown_modalities_are_row_errors(tmp_path, db, value):
    path = tmp_path / "m.json"
    path.write_text(json.dumps([{"name": "A"}, {"name": "B", "output_modalities": value}]))
    with pytest.raises(ImportFailed) as failure:
        import_file(path)
    (error,) = [str(e) for e in failure.value.errors]
    assert error.startswith("item 2, output_modalities: unknown modality ")
    assert error.endswith("use text, image, audio, video, code.")
    assert not AIModel.objects.exists()


def test_admin_offers_checkboxes_and_saves_them(client, db):
    client.force_login(make_editor())
    page = client.get(reverse("admin:models_catalog_aimodel_add")).content.decode()
    for code in MODALITIES:
        assert f'type="checkbox" name="input_modalities" value="{code}"' in page
        assert f'type="checkbox" name="output_modalities" value="{code}"' in page
    data = {
        "name": "Seer",
        "slug": "seer",
        "kind": "multimodal",
        "input_modalities": ["video", "text"],
        "output_modalities": ["text"],
        "price_points-TOTAL_FORMS": "0",
        "price_points-INITIAL_FORMS": "0",
        "openness_grades-TOTAL_FORMS": "0",
        "openness_grades-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("admin:models_catalog_aimodel_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    model = AIModel.objects.get(slug="seer")
    assert (model.input_modality_list, model.output_modality_list) == (["text", "video"], ["text"])


def test_post_migrate_puts_missing_modalities_back(db):
    """flush (tests, restore --replace) sends post_migrate, which puts the rows back."""
    Modality.objects.all().delete()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert list(Modality.objects.values_list("code", flat=True)) == MODALITIES


@pytest.mark.django_db(transaction=True)
def test_the_migration_turns_text_into_links_and_back():
    before = [("models_catalog", "0006_validation_on_the_fields")]
    after = [("models_catalog", "0009_drop_modality_text")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = MigrationExecutor(connection).loader.project_state(before).apps
        OldModel = old.get_model("models_catalog", "AIModel")
        texts = {"a": ("text;image", "text"), "b": ("Audio; video;bogus", ""), "c": ("", "")}
        for slug, (inputs, outputs) in texts.items():
            OldModel.objects.create(
                name=slug, slug=slug, input_modalities=inputs, output_modalities=outputs
            )
        MigrationExecutor(connection).migrate(after)
        # The entry as that migration left it (later migrations add columns).
        NewModel = (
            MigrationExecutor(connection)
            .loader.project_state(after)
            .apps.get_model("models_catalog", "AIModel")
        )
        links = {
            m.slug: tuple(
                [link.code for link in getattr(m, name).order_by("position")]
                for name in ("input_modalities", "output_modalities")
            )
            for m in NewModel.objects.all()
        }
        assert links == {
            "a": (["text", "image"], ["text"]),
            "b": (["audio", "video"], []),  # an unknown word is dropped
            "c": ([], []),
        }
        MigrationExecutor(connection).migrate(before)
        back = old.get_model("models_catalog", "AIModel").objects.order_by("slug")
        assert list(back.values_list("input_modalities", "output_modalities")) == [
            ("text;image", "text"),
            ("audio;video", ""),
            ("", ""),
        ]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

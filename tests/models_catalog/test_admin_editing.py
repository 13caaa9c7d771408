"""Catalog editing in the admin (issue 16, item 6): the openness grid, sizes as people write
them, tags first for taggers, and imports from the admin (dry run, then apply)."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pytest_django.asserts import assertContains

from config.lib import indexing
from models_catalog.formatting import format_parameters, parse_parameters
from models_catalog.models import AIModel, Dimension
from tests.factories import AIModelFactory
from tests.models_catalog.test_admin import staff
from tests.users import make_author, make_editor

pytestmark = pytest.mark.django_db
IMPORT = reverse("admin:models_catalog_aimodel_import")
GOOD = [
    {"name": "Llama 3.1 8B", "organization": "Meta", "parameters": "8B", "tags": "LLM"},
    {"name": "Mixtral 8x7B", "organization": "Mistral AI", "parameters": "46.7B"},
]


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("12B", (12 * 10**9, None)),
        ("6.9B", (6_900_000_000, None)),
        ("141B (39B active)", (141 * 10**9, 39 * 10**9)),
        ("1.5T", (15 * 10**11, None)),
        ("350M", (350 * 10**6, None)),
        ("", (None, None)),
        ("? (3B active)", (None, 3 * 10**9)),
    ],
)
def test_parameters_read_and_print_as_written(text, numbers):
    assert parse_parameters(text) == numbers
    assert format_parameters(*numbers) == text


@pytest.mark.parametrize("text", ["8x7B", "12 B (active)", "-3B", "1.5.2B", "(((", "0.5"])
def test_parameters_refuse_nonsense(text):
    with pytest.raises(ValueError):
        parse_parameters(text)


def change_data(model, **changes):
    data = {
        "name": model.name,
        "slug": model.slug,
        "kind": model.kind,
        "weights": model.weights,
        "parameters": "",
        "input_modalities": "text",
        "output_modalities": "text",
        "openness_grades-TOTAL_FORMS": "0",
        "openness_grades-INITIAL_FORMS": "0",
        "openness_grades-MIN_NUM_FORMS": "0",
        "openness_grades-MAX_NUM_FORMS": "14",
        "price_points-TOTAL_FORMS": "0",
        "price_points-INITIAL_FORMS": "0",
    }
    return {**data, **changes}


def grid(response):
    (found,) = [
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == "openness_grades"
    ]
    return found


def test_editor_types_a_mixture_of_experts_size_and_sees_it_back(client):
    model = AIModelFactory(name="Mixtral 8x22B", parameters=None, active_parameters=None)
    client.force_login(make_editor())
    url = reverse("admin:models_catalog_aimodel_change", args=[model.pk])
    response = client.post(url, change_data(model, parameters="141B (39B active)"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    model.refresh_from_db()
    assert (model.parameters, model.active_parameters) == (141 * 10**9, 39 * 10**9)
    assertContains(client.get(url), 'value="141B (39B active)"')
    bad = client.post(url, change_data(model, parameters="39B (141B active)"))
    assert bad.status_code == 200
    assert "larger than the total" in str(bad.context["adminform"].form.errors)
    bad = client.post(url, change_data(model, parameters="lots"))
    assert "12B, 6.9B or 141B (39B active)" in str(bad.context["adminform"].form.errors)
    model.refresh_from_db()
    assert model.active_parameters == 39 * 10**9  # the refused forms changed nothing


def test_openness_grid_has_one_row_per_dimension_and_saves_only_filled_rows(client):
    model = AIModelFactory(grades={"license": "partial"})
    client.force_login(make_editor())
    url = reverse("admin:models_catalog_aimodel_change", args=[model.pk])
    page = client.get(url)
    formset = grid(page)
    assert len(formset.forms) == len(Dimension)
    assert [f.instance.dimension or f.initial["dimension"] for f in formset.forms][:2] == [
        "license",
        "datasources_basemodel",
    ]
    assertContains(page, 'aria-label="Grade: Training code"')
    assertContains(page, "Base model weights")
    grade = model.openness_grades.get()
    data = change_data(model, **{"openness_grades-TOTAL_FORMS": "14"})
    data["openness_grades-INITIAL_FORMS"] = "1"
    rows = [("license", grade.pk)] + [(d, "") for d in Dimension.values if d != "license"]
    for n, (dimension, pk) in enumerate(rows):
        data[f"openness_grades-{n}-id"] = pk
        data[f"openness_grades-{n}-aimodel"] = model.pk
        data[f"openness_grades-{n}-dimension"] = dimension
        data[f"openness_grades-{n}-grade"] = "partial" if dimension == "license" else ""
    data["openness_grades-3-grade"] = "open"  # one ungraded row filled in
    response = client.post(url, data)
    assert response.status_code == 302, grid(response).errors
    grades = dict(model.openness_grades.values_list("dimension", "grade"))
    assert grades == {"license": "partial", rows[3][0]: "open"}


def test_a_tagger_sees_the_tags_field_first(client):
    model = AIModelFactory()
    client.force_login(make_author())  # Authors have tag_aimodel, not change_aimodel
    response = client.get(reverse("admin:models_catalog_aimodel_change", args=[model.pk]))
    fieldsets = response.context["adminform"].fieldsets
    assert fieldsets[0][1]["fields"] == ["tags"]
    assert all("tags" not in opts["fields"] for _, opts in fieldsets[1:])
    page = response.content.decode()
    assert page.index('name="tags"') < page.index("field-name")


def upload(rows, name="models.json"):
    return SimpleUploadedFile(name, json.dumps(rows).encode(), "application/json")


def test_import_from_the_admin_dry_run_then_apply(client, monkeypatch):
    AIModelFactory(name="Llama 3.1 8B", slug="llama-3-1-8b", parameters=7 * 10**9)
    heard = []
    monkeypatch.setattr(indexing, "changed", lambda kind, pks: heard.append(pks))
    client.force_login(make_editor())
    assertContains(client.get(reverse("admin:models_catalog_aimodel_changelist")), IMPORT)
    response = client.post(IMPORT, {"file": upload(GOOD)})
    assert response.status_code == 200
    assertContains(response, "1 created, 1 updated, 0 unchanged")
    assertContains(response, "<td>parameters</td><td>7000000000</td><td>8000000000</td>")
    assert AIModel.objects.count() == 1 and not heard  # the dry run wrote and said nothing
    context = response.context
    apply = {"apply": "1", "name": context["name"], "digest": context["digest"]}
    apply["text"] = context["text"].replace("\n", "\r\n")  # as a browser posts it back
    response = client.post(IMPORT, apply)
    assert response.status_code == 302
    assert AIModel.objects.get(slug="llama-3-1-8b").parameters == 8 * 10**9
    assert AIModel.objects.filter(slug="mixtral-8x7b").exists() and heard


def test_import_apply_refuses_text_changed_since_the_dry_run(client):
    client.force_login(make_editor())
    dry = client.post(IMPORT, {"file": upload(GOOD)}).context
    forged = json.dumps([{"name": "Evil", "organization": "X"}])
    data = {"apply": "1", "name": dry["name"], "digest": dry["digest"], "text": forged}
    assert client.post(IMPORT, data).status_code == 302
    assert not AIModel.objects.exists()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (json.dumps([{"name": "A", "parameters": "lots"}]), "m.json", "item 1, parameters"),
        ('[{"name": ', "m.json", "line 1: malformed JSON"),
        ("name\n", "m.txt", "use a .json, .jsonl or .csv file"),
        (b"\xff\xfe\x00", "m.csv", "not UTF-8"),
        ("name,weights\nA,sideways\n", "m.csv", "line 2, weights"),
    ],
)
def test_bad_import_files_are_form_errors_naming_the_row(client, content, name, message):
    client.force_login(make_editor())
    raw = content if isinstance(content, bytes) else content.encode()
    response = client.post(IMPORT, {"file": SimpleUploadedFile(name, raw)})
    assert response.status_code == 200
    assert message in str(response.context["form"].errors), response.context["form"].errors
    assert not AIModel.objects.exists()


def test_import_needs_add_and_change(client):
    client.force_login(make_author())
    assert client.get(IMPORT).status_code == 403
    client.force_login(staff("changer", "change_aimodel", "view_aimodel"))
    assert client.post(IMPORT, {"file": upload(GOOD)}).status_code == 403
    assert not AIModel.objects.exists()

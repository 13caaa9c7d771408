"""Field validation lives on the models; the importer only converts a file's values and asks
them. The same value gets the same verdict from the model, the admin form and an import."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from models_catalog.models import AIModel, PricePoint
from models_catalog.transfer.importer import ImportFailed, import_file
from tests.users import make_editor

pytestmark = pytest.mark.django_db

# (column, value in the file, value on the model) the models refuse, one rule each.
REFUSED = [
    ("name", "x" * 151, "x" * 151),  # length
    ("family", "Llama\u202e3", "Llama\u202e3"),  # the text rule for names
    ("summary", "s" * 601, "s" * 601),  # a TextField's own max_length
    ("kind", "spaceship", "spaceship"),  # choices
    ("weights", "sometimes", "sometimes"),
    ("context_window", "2.2B", 2_200_000_000),  # the column's range on every database
    ("parameters", 2**63, 2**63),
    ("price_input_per_mtok", "1000000", "1000000"),  # digits
    ("price_output_per_mtok", "0.0000001", "0.0000001"),  # decimal places
    ("homepage_url", "ftp://example.com/model", "ftp://example.com/model"),  # http(s) only
    ("paper_url", "javascript:alert(1)", "javascript:alert(1)"),
    ("slug", "not a slug", "not a slug"),
]


def model_messages(column, value):
    """What the model's own full_clean says of `value` in `column` (a current-price column's
    value is a price point's amount)."""
    if column.startswith("price_"):
        point = PricePoint(unit="input-mtok", amount=value, as_of="2024-05-13")
        with pytest.raises(ValidationError) as refused:
            point.full_clean(exclude=["aimodel"])
        return refused.value.message_dict["amount"]
    model = AIModel(**{"name": "Fine", "slug": "fine", column: value})
    with pytest.raises(ValidationError) as refused:
        model.full_clean(validate_unique=False, validate_constraints=False)
    return refused.value.message_dict[column]


def import_errors(tmp_path, row):
    path = tmp_path / "models.json"
    path.write_text(json.dumps([{"name": "Fine", "slug": "fine", **row}]))
    with pytest.raises(ImportFailed) as failure:
        import_file(path)
    assert not AIModel.objects.exists()
    return [str(error) for error in failure.value.errors]


@pytest.mark.parametrize(("column", "in_file", "on_model"), REFUSED, ids=lambda v: str(v)[:20])
def test_the_importer_says_what_the_model_says(tmp_path, column, in_file, on_model):
    expected = model_messages(column, on_model)[0]
    (error,) = import_errors(tmp_path, {column: in_file})
    assert error.lower() == f"item 1, {column}: {expected}".lower()


def test_active_parameters_above_the_total_are_refused_everywhere(tmp_path, client):
    row = {"parameters": "7B", "active_parameters": "13B"}
    assert import_errors(tmp_path, row) == [
        "item 1, active_parameters: cannot be larger than the total parameters."
    ]
    client.force_login(make_editor())
    data = {
        "name": "X",
        "slug": "x",
        "kind": "language",
        "parameters": "7 (9 active)",  # the admin reads both from one field (issue 16)
    }
    data.update({"price_points-TOTAL_FORMS": "0", "price_points-INITIAL_FORMS": "0"})
    data.update({"openness_grades-TOTAL_FORMS": "0", "openness_grades-INITIAL_FORMS": "0"})
    response = client.post(reverse("admin:models_catalog_aimodel_add"), data)
    errors = response.context["adminform"].form.errors
    assert errors["parameters"] == ["The active count cannot be larger than the total."]


def test_the_admin_refuses_what_imports_refuse(client):
    client.force_login(make_editor())
    data = {"name": "X", "slug": "x", "kind": "language", "homepage_url": "ftp://example.com/"}
    data.update({"context_window": str(2**31)})
    data.update({"openness_grades-TOTAL_FORMS": "0", "openness_grades-INITIAL_FORMS": "0"})
    data.update({"price_points-TOTAL_FORMS": "1", "price_points-INITIAL_FORMS": "0"})
    data.update({"price_points-0-unit": "input-mtok", "price_points-0-amount": "-1"})
    data.update({"price_points-0-as_of": "2024-05-13"})
    response = client.post(reverse("admin:models_catalog_aimodel_add"), data)
    errors = response.context["adminform"].form.errors
    assert {"homepage_url", "context_window"} <= set(errors)
    formsets = response.context["inline_admin_formsets"]
    (prices,) = [f for f in formsets if f.formset.prefix == "price_points"]
    assert "amount" in prices.formset.forms[0].errors
    assert not AIModel.objects.exists()


def test_a_rule_added_to_a_field_reaches_the_importer(tmp_path, monkeypatch):
    """Nothing is re-typed in the importer: a new validator on the field is enforced there."""

    def no_mixtures(value):
        if "mix" in value.lower():
            raise ValidationError("Families are named without the word mix.")

    field = AIModel._meta.get_field("family")
    monkeypatch.setattr(field, "validators", [*field.validators, no_mixtures])
    assert import_errors(tmp_path, {"family": "Mixtral"}) == [
        "item 1, family: families are named without the word mix."
    ]


def test_grades_are_judged_by_the_grade_model(tmp_path):
    openness = {"license": {"grade": "Mostly", "link": "ftp://x.example/"}, "vibes": "open"}
    errors = import_errors(tmp_path, {"openness": openness})
    assert errors == [
        "item 1, openness.license: 'mostly' is not open, partial or closed.",
        "item 1, openness.license.link: enter a valid URL.",
        "item 1, openness.vibes: unknown openness dimension 'vibes'.",
    ]


def test_an_organisation_or_licence_name_is_judged_by_its_model(tmp_path):
    errors = import_errors(tmp_path, {"organization": "o" * 151, "license": "Bad\x01licence"})
    assert (
        errors[0]
        == "item 1, organization: ensure this value has at most 150 characters (it has 151)."
    )
    assert errors[1].startswith("item 1, license: contains U+0001")


def test_the_bulk_write_judges_what_nobody_judged_before(tmp_path, monkeypatch):
    """Should the importer skip the models' verdict, the write path still asks for it."""
    monkeypatch.setattr("models_catalog.transfer.importer.entry_problems", lambda *a, **k: {})
    assert import_errors(tmp_path, {"weights": "sometimes"}) == [
        "entry 'fine', weights: unknown weights 'sometimes'; use open, gated, closed."
    ]

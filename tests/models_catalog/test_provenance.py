"""Issue 15: every fact sourced and dated, unknown apart from not applicable, dated prices."""

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from models_catalog.models import AIModel, PricePoint, current_prices
from models_catalog.transfer import exporter
from models_catalog.transfer.importer import ImportFailed, import_file
from tests.factories import AIModelFactory
from tests.users import make_editor

pytestmark = pytest.mark.django_db

PRICING = "https://example.com/pricing"
SOURCED = {
    "name": "Omni",
    "slug": "omni",
    "kind": "multimodal",
    "release_date": "2024-05-13",
    "weights": "closed",
    "api": "yes",
    "parameters": "n/a",
    "context_window": 128000,
    "source_url": "https://example.com/launch",
    "as_of": "2024-05-13",
    "sources": {"context_window": {"url": "https://example.com/card", "as_of": "2024-06-01"}},
    "prices": [
        {"unit": "input-mtok", "amount": 5, "condition": "", "as_of": "2024-05-13",
         "source": PRICING},
        {"unit": "input-mtok", "amount": 2.5, "condition": "", "as_of": "2024-08-06",
         "source": PRICING},
        {"unit": "image", "amount": 0.04, "condition": "1024×1024", "as_of": "2024-05-13",
         "source": None},
    ],
}  # fmt: skip
PAINTER = {
    "name": "Painter",
    "slug": "painter",
    "kind": "image",
    "api": "no",
    "context_window": "n/a",
    "price_input_per_mtok": "n/a",
}


def write(tmp_path, rows, name="models.json"):
    path = tmp_path / name
    path.write_text(json.dumps(rows))
    return path


def errors_of(tmp_path, rows):
    with pytest.raises(ImportFailed) as failure:
        import_file(write(tmp_path, rows))
    return [str(e) for e in failure.value.errors]


# The model decides --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"fact_sources": {"colour": {"url": "https://example.com/"}}}, "fact_sources"),
        ({"fact_sources": {"parameters": {"url": "ftp://example.com/"}}}, "fact_sources"),
        ({"fact_sources": {"parameters": {"as_of": "2024-13-01"}}}, "fact_sources"),
        ({"fact_sources": {"parameters": {}}}, "fact_sources"),
        ({"fact_sources": ["parameters"]}, "fact_sources"),
        ({"not_applicable": ["name"]}, "not_applicable"),
        ({"not_applicable": ["context_window"], "context_window": 8192}, "context_window"),
        ({"source_url": "javascript:alert(1)"}, "source_url"),
    ],
)
def test_the_model_refuses_bad_provenance(values, field):
    model = AIModel(name="X", slug="x", **values)
    with pytest.raises(ValidationError) as refused:
        model.full_clean(validate_constraints=False)
    assert field in refused.value.message_dict


def test_the_importer_says_what_the_model_says(tmp_path):
    rows = [
        {"name": "A", "sources": {"colour": {"url": "https://example.com/"}}},
        {"name": "B", "context_window": "n/a", "as_of": "2024-02-30"},
        {"name": "C", "prices": [{"unit": "per-fortnight", "amount": 1, "as_of": "2024-01-01"}]},
        {"name": "D", "prices": [{"unit": "image", "amount": -1, "as_of": "2024-01-01"}]},
        {"name": "E", "price_input_per_mtok": 9, "prices": SOURCED["prices"]},
        {"name": "F", "price_input_per_mtok": "n/a", "prices": SOURCED["prices"]},
    ]
    assert errors_of(tmp_path, rows) == [
        "item 1, sources: unknown fact 'colour'.",
        "item 2, as_of: '2024-02-30' is not a real date",
        "item 3, prices.1.unit: unknown price unit 'per-fortnight'; use input-mtok, "
        "output-mtok, cached-input-mtok, image, audio-minute, request.",
        "item 4, prices: must not be negative",  # the notation (as for the price columns)
        "item 5, price_input_per_mtok: 9 is not the latest price point (2.5)",
        "item 6, price_input_per_mtok: has price points, so it cannot be not applicable.",
    ]
    assert not AIModel.objects.exists()


def test_the_admin_says_what_the_model_says(client):
    client.force_login(make_editor())
    data = {"name": "X", "slug": "x", "kind": "image", "context_window": "8192"}
    data["not_applicable"] = '["context_window", "colour"]'
    data["fact_sources"] = '{"parameters": {"url": "ftp://example.com/"}}'
    data.update({"price_points-TOTAL_FORMS": "0", "price_points-INITIAL_FORMS": "0"})
    data.update({"openness_grades-TOTAL_FORMS": "0", "openness_grades-INITIAL_FORMS": "0"})
    response = client.post(reverse("admin:models_catalog_aimodel_add"), data)
    errors = response.context["adminform"].form.errors
    assert {"not_applicable", "fact_sources", "context_window"} <= set(errors)
    assert not AIModel.objects.exists()


# Prices ----------------------------------------------------------------------------------------


def test_the_current_price_is_the_latest_point(tmp_path):
    import_file(write(tmp_path, [SOURCED]))
    omni = AIModel.objects.get(slug="omni")
    assert omni.price_input_per_mtok == Decimal("2.5")
    assert omni.price_output_per_mtok is None  # no output point: unknown
    assert PricePoint.objects.filter(aimodel=omni).count() == 3
    day = datetime.date
    points = list(omni.price_points.all())
    assert current_prices(points, day(2024, 6, 1))["price_input_per_mtok"] == Decimal(5)
    assert current_prices(points, day(2024, 5, 1))["price_input_per_mtok"] is None


def test_under_conditions_the_current_price_is_the_lowest_of_the_latest_day():
    points = [
        ("input-mtok", "3.5", "prompts ≤ 128K", "2024-05-14"),
        ("input-mtok", "7", "prompts > 128K", "2024-05-14"),
        ("input-mtok", "1.25", "prompts ≤ 128K", "2024-10-01"),
        ("input-mtok", "2.5", "prompts > 128K", "2024-10-01"),
    ]
    assert current_prices(points)["price_input_per_mtok"] == Decimal("1.25")


def test_price_columns_alone_become_dated_points(tmp_path):
    row = {"name": "Old file", "release_date": "2024-03", "price_input_per_mtok": 3}
    import_file(write(tmp_path, [row]))
    (point,) = PricePoint.objects.all()
    assert (point.unit, point.amount, point.as_of) == ("input-mtok", 3, datetime.date(2024, 3, 1))


def test_an_admin_price_point_sets_the_current_price(client):
    client.force_login(make_editor())
    model = AIModelFactory(slug="m", price_input_per_mtok=5)
    data = {"name": model.name, "slug": "m", "kind": "language", "weights": "open"}
    data.update({"openness_grades-TOTAL_FORMS": "0", "openness_grades-INITIAL_FORMS": "0"})
    stored = model.price_points.get()
    data.update({"price_points-TOTAL_FORMS": "2", "price_points-INITIAL_FORMS": "1"})
    for n, (pk, amount, day) in enumerate([(stored.pk, 5, stored.as_of), ("", 2, "2030-01-01")]):
        prefix = f"price_points-{n}-"
        data.update(
            {prefix + "id": pk, prefix + "aimodel": model.pk, prefix + "unit": "input-mtok"}
        )
        data.update({prefix + "amount": amount, prefix + "as_of": str(day)})
    url = reverse("admin:models_catalog_aimodel_change", args=[model.pk])
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    model.refresh_from_db()
    assert model.price_input_per_mtok == 2


# Unknown and not applicable, everywhere -----------------------------------------------------


@pytest.fixture
def two(tmp_path):
    import_file(write(tmp_path, [SOURCED, PAINTER]))
    return AIModel.objects.for_detail().in_bulk(field_name="slug")


def test_import_keeps_not_applicable_apart_from_unknown(two):
    painter, omni = two["painter"], two["omni"]
    assert painter.not_applicable == ["context_window", "price_input_per_mtok"]
    assert painter.context_window is None and painter.parameters is None
    assert painter.context_window_display == "not applicable"
    assert painter.parameters_display == "undisclosed"
    assert painter.price_input_display == "not applicable"
    assert painter.price_output_display == "unknown"
    assert omni.parameters_display == "not applicable"


def test_the_page_and_compare_say_which(client, two):
    response = client.get(reverse("catalog:detail", args=["painter"]))
    assertContains(response, '<th scope="row">Context window</th><td>not applicable</td>')
    assertContains(response, '<th scope="row">Parameters</th><td>undisclosed</td>')
    assertContains(response, '<th scope="row">Input price</th><td>not applicable</td>')
    response = client.get(reverse("catalog:compare") + "?m=painter&m=omni")
    rows = {row.label: [cell.text for cell in row.cells] for row in response.context["rows"]}
    assert rows["Context window"] == ["not applicable", "128K"]
    assert rows["Parameters"] == ["undisclosed", "not applicable"]
    assert rows["Input price per million tokens"] == ["not applicable", "$2.50"]


def test_the_export_writes_n_a_and_null(two):
    rows = {row["slug"]: row for row in json.loads(exporter.to_json(AIModel.objects.all()))}
    assert rows["painter"]["context_window"] == "n/a"
    assert rows["painter"]["parameters"] is None
    assert rows["painter"]["price_input_per_mtok"] == "n/a"
    assert rows["painter"]["price_output_per_mtok"] is None
    table = {r["slug"]: r for r in csv.DictReader(io.StringIO(exporter.to_csv(AIModel.objects)))}
    assert (table["painter"]["context_window"], table["painter"]["parameters"]) == ("n/a", "")


def test_the_price_facet_counts_and_filters_each_apart(client, two):
    AIModelFactory(slug="quiet", price_input_per_mtok=None)
    response = client.get(reverse("catalog:list"))
    facet = next(f for f in response.context["facets"] if f.param == "price")
    assert {v.value: v.count for v in facet.values} == {"listed": 1, "unknown": 1, "n-a": 1}
    for value, slugs in (("listed", ["omni"]), ("unknown", ["quiet"]), ("n-a", ["painter"])):
        response = client.get(reverse("catalog:list") + f"?price={value}")
        assert [m.slug for m in response.context["page_obj"]] == slugs


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("price", ["cheap", "dear", "painter", "quiet"]),
        ("price-desc", ["dear", "cheap", "painter", "quiet"]),
        ("context", ["long", "short", "painter", "quiet"]),
        ("context-asc", ["short", "long", "painter", "quiet"]),
    ],
)
def test_unknown_and_not_applicable_sort_last_both_ways(client, sort, order):
    AIModelFactory(name="cheap", slug="cheap", price_input_per_mtok=1, context_window=None)
    AIModelFactory(name="dear", slug="dear", price_input_per_mtok=9, context_window=None)
    AIModelFactory(name="long", slug="long", context_window=10**6)
    AIModelFactory(name="short", slug="short", context_window=10**3)
    AIModelFactory(name="painter", slug="painter", context_window=None,
                   not_applicable=["context_window", "price_input_per_mtok"])  # fmt: skip
    AIModelFactory(name="quiet", slug="quiet", context_window=None)
    response = client.get(reverse("catalog:list") + f"?sort={sort}")
    slugs = [m.slug for m in response.context["page_obj"]]
    assert [s for s in slugs if s in order] == order


# Sources on the page, and in the files --------------------------------------------------------


def test_the_page_shows_each_facts_source_and_date(client, two):
    response = client.get(reverse("catalog:detail", args=["omni"]))
    assertContains(response, 'href="https://example.com/card" title="Source, as of 1 Jun 2024"')
    assertContains(response, 'href="https://example.com/launch" title="Source, as of 13 May 2024')
    assertContains(response, f'href="{PRICING}" title="Source, as of 6 Aug 2024"')
    assertContains(response, '$0.04 per image <span class="muted">(1024×1024)</span>')
    assertContains(response, "Facts checked as of 13 May 2024")
    response = client.get(reverse("catalog:detail", args=["painter"]))
    assertNotContains(response, 'class="source"')  # nothing said, nothing shown


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_import_of_an_export_gives_back_the_same_values(tmp_path, two, fmt):
    first = exporter.render(AIModel.objects.all(), fmt)
    before = {m.slug: _values(m) for m in AIModel.objects.for_detail()}
    AIModel.objects.all().delete()
    result = import_file(write_text(tmp_path, f"export.{fmt}", first))
    assert result.created == 2
    after = {m.slug: _values(m) for m in AIModel.objects.for_detail()}
    assert after == before
    assert exporter.render(AIModel.objects.all(), fmt) == first


def write_text(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def _values(model):
    points = sorted(p.as_tuple() for p in model.price_points.all())
    return (model.source_url, model.as_of, model.fact_sources, model.not_applicable, points,
            model.context_window, model.price_input_per_mtok, model.parameters)  # fmt: skip

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from models_catalog import writes
from models_catalog.changes import WriteContext
from models_catalog.models import AIModel, Dimension
from tests.factories import AIModelFactory, LicenseFactory, OrganizationFactory
from tests.queries import page_queries as _queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog():
    meta = OrganizationFactory(name="Meta", slug="meta")
    openai = OrganizationFactory(name="OpenAI", slug="openai")
    community = LicenseFactory(name="Llama Community", kind="restricted-open", osi_approved=False)
    apache = LicenseFactory(name="Apache 2.0", kind="permissive")
    proprietary = LicenseFactory(name="Proprietary", kind="proprietary", osi_approved=False)
    return {
        "llama": AIModelFactory(
            name="Llama 8B",
            slug="llama-8b",
            family="Llama",
            organization=meta,
            license=community,
            weights="gated",
            release_date=datetime.date(2024, 7, 23),
            context_window=128_000,
            tags=["LLM"],
            grades=dict.fromkeys(Dimension.values, "partial"),
        ),
        "llama_big": AIModelFactory(
            name="Llama 70B",
            slug="llama-70b",
            family="Llama",
            organization=meta,
            license=community,
            weights="gated",
            parameters=70 * 10**9,
            release_date=datetime.date(2024, 7, 23),
            tags=["LLM"],
        ),
        "mistral": AIModelFactory(
            name="Mistral 7B",
            slug="mistral-7b",
            license=apache,
            weights="open",
            release_date=datetime.date(2023, 9, 27),
            context_window=32_768,
            tags=["LLM", "Open source"],
            grades=dict.fromkeys(Dimension.values, "open"),
        ),
        "gpt": AIModelFactory(
            name="GPT-4o",
            slug="gpt-4o",
            kind="multimodal",
            organization=openai,
            license=proprietary,
            weights="closed",
            parameters=None,
            release_date=datetime.date(2024, 5, 1),
            release_date_precision="month",
            context_window=128_000,
            input_modalities="text;image;audio",
            api=True,
            price_input_per_mtok=Decimal("5"),
            price_output_per_mtok=Decimal("15"),
            grades=dict.fromkeys(Dimension.values, "closed"),
        ),
        "sd": AIModelFactory(
            name="Stable Diffusion",
            slug="sd",
            kind="image",
            license=apache,
            weights="open",
            release_date=None,
            release_date_precision="",
            context_window=None,
            output_modalities="image",
        ),
    }


def get(client, name, query="", *args):
    return client.get(reverse(name, args=args) + query)


def facet_counts(response, param):
    facet = next(f for f in response.context["facets"] if f.param == param)
    return {v.value: v.count for v in facet.values}


def listed(response):
    return [m.slug for m in response.context["page_obj"]]


def test_list_shows_every_model_with_facet_counts(client, catalog):
    response = get(client, "catalog:list")
    assert response.status_code == 200
    assert len(listed(response)) == 5
    assert facet_counts(response, "kind") == {"language": 3, "multimodal": 1, "image": 1}
    assert facet_counts(response, "weights") == {"open": 2, "gated": 2, "closed": 1}
    assert facet_counts(response, "license") == {
        "permissive": 2,
        "restricted-open": 2,
        "proprietary": 1,
    }
    assert facet_counts(response, "modality") == {"text": 5, "image": 2, "audio": 1}
    assert facet_counts(response, "year") == {"2024": 3, "2023": 1}
    assert facet_counts(response, "tag") == {"llm": 3, "open-source": 1}
    assert facet_counts(response, "org")["meta"] == 2
    assertContains(response, 'href="/tags/llm/"')
    assertContains(response, "undisclosed")  # GPT-4o's parameters, never 0


def test_facet_counts_follow_the_other_filters(client, catalog):
    response = get(client, "catalog:list", "?kind=language")
    assert sorted(listed(response)) == ["llama-70b", "llama-8b", "mistral-7b"]
    # Counts for other kinds stay visible (what adding them would give) ...
    assert facet_counts(response, "kind") == {"language": 3, "multimodal": 1, "image": 1}
    # ... while every other facet counts within the language models only.
    assert facet_counts(response, "weights") == {"open": 1, "gated": 2}
    assert next(f for f in response.context["facets"] if f.param == "kind").values[0].selected


def test_parameters_compose(client, catalog):
    response = get(
        client, "catalog:list", "?kind=language&weights=open&weights=gated&tag=llm&org=meta"
    )
    assert sorted(listed(response)) == ["llama-70b", "llama-8b"]
    response = get(client, "catalog:list", "?modality=image")
    assert sorted(listed(response)) == ["gpt-4o", "sd"]
    response = get(client, "catalog:list", "?year=2023&q=mistral")
    assert listed(response) == ["mistral-7b"]
    response = get(client, "catalog:list", "?license=proprietary")
    assert listed(response) == ["gpt-4o"]


def test_facet_links_toggle_one_value_and_keep_the_rest(client, catalog):
    response = get(client, "catalog:list", "?kind=language&sort=name&page=1")
    weights = next(f for f in response.context["facets"] if f.param == "weights")
    gated = next(v for v in weights.values if v.value == "gated")
    assert gated.url == "?kind=language&sort=name&weights=gated"
    language = response.context["facets"][0].values[0]
    assert language.url == "?sort=name"


@pytest.mark.parametrize(
    ("query", "notice"),
    [
        ("?kind=spaceship", "Unknown kind “spaceship” was ignored."),
        ("?weights=half", "Unknown weights “half” was ignored."),
        ("?year=last", "Unknown release year “last” was ignored."),
        ("?org=nobody", "Unknown organisation “nobody” was ignored."),
        ("?tag=not-a-tag", "Unknown tag “not-a-tag” was ignored."),
        ("?sort=vibes", "Unknown sort “vibes” was ignored; sorted by newest."),
        ("?modality=smell&page=zzz", "Unknown modality “smell” was ignored."),
    ],
)
def test_unknown_values_are_ignored_with_a_notice(client, catalog, query, notice):
    response = get(client, "catalog:list", query)
    assert response.status_code == 200
    assertContains(response, notice)
    assert len(listed(response)) == 5


def test_unknown_value_next_to_a_known_one(client, catalog):
    response = get(client, "catalog:list", "?org=meta&org=nobody")
    assert sorted(listed(response)) == ["llama-70b", "llama-8b"]
    assertContains(response, "Unknown organisation “nobody” was ignored.")


@pytest.mark.parametrize(
    ("sort", "first", "last"),
    [
        ("name", "gpt-4o", "sd"),
        ("newest", "llama-70b", "sd"),  # same day: then by name; undated last
        ("context", "gpt-4o", "sd"),
        ("price", "gpt-4o", "sd"),
        ("openness", "mistral-7b", "sd"),
        ("parameters", "llama-70b", "gpt-4o"),
    ],
)
def test_sorts(client, catalog, sort, first, last):
    slugs = listed(get(client, "catalog:list", f"?sort={sort}"))
    assert (slugs[0], slugs[-1]) == (first, last)


def test_release_chart_is_accessible_svg(client, catalog):
    response = get(client, "catalog:list")
    chart = response.context["chart"]
    assert len(chart["marks"]) == 4  # Stable Diffusion has no release date
    assert "1 without a known release date" in chart["description"]
    content = response.content.decode()
    assert 'aria-labelledby="chart-title chart-desc"' in content
    assert '<title id="chart-title">' in content and '<desc id="chart-desc">' in content
    assert "GPT-4o: May 2024, closed" in content
    assert [item["count"] for item in chart["legend"]] == [1, 2, 1]
    figure = content[content.index('<figure class="chart">') : content.index("</figure>")]
    assert "<script" not in figure  # the chart itself needs no JavaScript


def test_release_chart_marks_are_big_enough_to_tap(client, catalog):
    """Each mark's link takes taps in a 24-unit square, and no two squares overlap: at the
    chart's smallest size (one unit per CSS px on phones) that is WCAG 2.5.8's 24×24 px."""
    chart = get(client, "catalog:list").context["chart"]
    assert chart["target"] >= 24
    squares = [(float(m.target[0]), float(m.target[1])) for m in chart["marks"]]
    for index, (x, y) in enumerate(squares):
        for other_x, other_y in squares[index + 1 :]:
            assert abs(x - other_x) >= 24 or abs(y - other_y) >= 24
    assert 'class="chart__target"' in get(client, "catalog:list").content.decode()


def test_detail_page(client, catalog):
    response = get(client, "catalog:detail", "", "llama-8b")
    assertContains(response, "<caption>Facts about Llama 8B</caption>", html=False)
    assertContains(response, "Base model weights")
    assertContains(response, "Openness score 50/100")
    assertContains(response, "Also in Llama")
    assertContains(response, reverse("catalog:detail", args=["llama-70b"]))
    assertContains(response, 'name="m" value="llama-8b"')  # "compare with…"
    assertContains(response, 'href="/tags/llm/"')
    assertContains(response, "Llama Community")


def test_detail_says_unknown_not_zero(client, catalog):
    response = get(client, "catalog:detail", "", "sd")
    assertContains(response, '<th scope="row">Context window</th><td>unknown</td>')
    assertContains(response, '<th scope="row">Released</th><td>unknown</td>')
    assertContains(response, '<th scope="row">Input price</th><td>unknown</td>')
    assertContains(response, "its openness has not been graded yet")
    response = get(client, "catalog:detail", "", "gpt-4o")
    assertContains(response, '<th scope="row">Parameters</th><td>undisclosed</td>')
    assertContains(response, '<th scope="row">Input price</th><td>$5 per million tokens<sup')


def test_detail_404(client):
    assert get(client, "catalog:detail", "", "nope").status_code == 404


def test_compare_marks_differences_and_best_values(client, catalog):
    response = get(client, "catalog:compare", "?m=llama-8b&m=gpt-4o&m=mistral-7b")
    assert [m.slug for m in response.context["models"]] == ["llama-8b", "gpt-4o", "mistral-7b"]
    rows = {row.label: row for row in response.context["rows"]}
    context = rows["Context window"]
    assert context.differs and [c.is_best for c in context.cells] == [True, True, False]
    price = rows["Input price per million tokens"]
    assert [c.is_best for c in price.cells] == [False, True, False]  # the only known price
    score = rows["Openness score"]
    assert [c.is_best for c in score.cells] == [False, False, True]
    assert rows["Kind"].differs and rows["Kind"].cells[1].text == "Multimodal"
    assert rows["Base model weights"].differs
    assert len([r for r in response.context["rows"] if r.group]) == 14
    assertContains(response, "compare-table__row--differs")
    assertContains(response, "best (largest)")


def test_compare_names_unknown_slugs_and_compares_the_rest(client, catalog):
    response = get(client, "catalog:compare", "?m=llama-8b&m=ghost&m=gpt-4o&m=phantom")
    assert response.status_code == 200
    assert [m.slug for m in response.context["models"]] == ["llama-8b", "gpt-4o"]
    assertContains(response, "Not in the catalog, so not compared: ghost, phantom.")


def test_compare_with_seven_models_keeps_six(client, catalog):
    extra = AIModelFactory.create_batch(2)
    slugs = [*[m.slug for m in catalog.values()], *[m.slug for m in extra]]
    response = get(client, "catalog:compare", "?" + "&".join(f"m={s}" for s in slugs))
    assert len(response.context["models"]) == 6
    assertContains(response, f"left out: {extra[1].name}")


@pytest.mark.parametrize("query", ["", "?m=llama-8b", "?m=llama-8b&m=llama-8b", "?m=&m=%20"])
def test_compare_needs_two_models(client, catalog, query):
    response = get(client, "catalog:compare", query)
    assert response.status_code == 200
    assertContains(response, "Choose at least 2 models to compare.")


def test_exports_follow_the_list_parameters(client, catalog):
    response = get(client, "catalog:export-json", "?weights=gated")
    assert response["Content-Type"] == "application/json"
    rows = json.loads(response.content)
    assert [r["slug"] for r in rows] == ["llama-70b", "llama-8b"]
    assert rows[1]["openness"]["license"]["grade"] == "partial"
    response = get(client, "catalog:export-csv", "?kind=multimodal&kind=bogus")
    assert response.status_code == 200
    table = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["slug"] for r in table] == ["gpt-4o"]
    assert table[0]["parameters"] == "" and table[0]["price_input_per_mtok"] == "5"


def _grow(count):
    org, licence = OrganizationFactory(), LicenseFactory()
    for i in range(count):
        AIModelFactory(
            organization=org,
            license=licence,
            family="Grown",
            tags=[f"tag-{i}", "LLM"],
            grades={"license": "open", "api": "partial"},
        )


def test_list_query_count_is_flat(client, catalog, django_assert_max_num_queries):
    url = reverse("catalog:list") + "?kind=language&tag=llm&org=meta&org=x&sort=context"
    small = _queries(client, url)
    _grow(15)
    with django_assert_max_num_queries(12):
        client.get(url)
    # Counts are cached until the next catalog write: compare a cold page with a cold page,
    # and a warm one does fewer queries still.
    warm = _queries(client, url, cold=False)
    assert _queries(client, url) == small
    assert warm < small
    with django_assert_max_num_queries(12):
        client.get(reverse("catalog:list"))


def test_detail_query_count_is_flat(client, catalog, django_assert_max_num_queries):
    url = reverse("catalog:detail", args=["llama-8b"])
    small = _queries(client, url)
    _grow(10)
    catalog["llama"].family = "Grown"
    catalog["llama"].save()
    # 10, plus two for "Articles about X" (issue 15): the articles referencing it, and how
    # many entries carry each of its tags (a tag on over a quarter of them is generic).
    with django_assert_max_num_queries(12):
        client.get(url)
    assert _queries(client, url) == small


def test_compare_query_count_is_flat(client, catalog, django_assert_max_num_queries):
    two = reverse("catalog:compare") + "?m=llama-8b&m=gpt-4o"
    small = _queries(client, two)
    _grow(6)
    grown = AIModel.objects.filter(family="Grown").values_list("slug", flat=True)[:3]
    slugs = ["llama-8b", "gpt-4o", "mistral-7b", *grown]
    six = reverse("catalog:compare") + "?" + "&".join(f"m={slug}" for slug in slugs)
    with django_assert_max_num_queries(10):
        response = client.get(six)
    assert len(response.context["models"]) == 6
    assert _queries(client, six) == small


def test_export_query_count_is_flat(client, catalog):
    url = reverse("catalog:export-json")
    small = _queries(client, url)
    _grow(10)
    assert _queries(client, url) == small


def test_release_chart_html_is_kept_until_a_catalog_write(
    client, catalog, django_capture_on_commit_callbacks
):
    """The chart's rendered SVG is kept per selection and catalog generation (issue 18):
    a second render serves the same markup, and a write through the write path shows."""
    first = get(client, "catalog:list").content.decode()
    assert "GPT-4o: May 2024, closed" in first
    assert get(client, "catalog:list").content.decode() == first
    model = AIModel.objects.get(slug="gpt-4o")
    model.name = "GPT-4o renamed"
    with django_capture_on_commit_callbacks(execute=True):
        writes.aimodel_save(model, WriteContext(source="test"))
    after = get(client, "catalog:list").content.decode()
    figure = after[after.index('<figure class="chart">') : after.index("</figure>")]
    assert "GPT-4o renamed: May 2024, closed" in figure
    assert "<title>GPT-4o: May 2024" not in figure


def test_pages_of_the_catalog_are_previous_and_next(client):
    """The catalog is in the reader's chosen order (name, price, context…), not by date: its
    pages are not "newer" and "older"."""
    AIModelFactory.create_batch(25)
    first = get(client, "catalog:list", "?sort=name").content.decode()
    second = get(client, "catalog:list", "?sort=name&page=2").content.decode()
    assert 'rel="next"' in first and "Next →" in first and "Older →" not in first
    assert 'rel="prev"' in second and "← Previous" in second and "← Newer" not in second

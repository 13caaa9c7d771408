"""Issue 15: every change to a fact is kept, shown, fed, and the facts can be read as of a day."""

import datetime
import json

import feedparser
import pytest
from django.core.management import call_command
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from models_catalog.models import AIModel, FactChange
from models_catalog.models.history import SHOWN_FACTS
from models_catalog.transfer.importer import import_file
from tests.factories import AIModelFactory
from tests.models_catalog.test_writes import admin_form
from tests.module_rows import rows_for_the_module
from tests.queries import page_queries as _queries
from tests.users import make_editor

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    yield from rows_for_the_module(
        django_db_blocker, lambda: call_command("load_demo_catalog", verbosity=0)
    )


def changes(slug, fact):
    return list(FactChange.objects.filter(slug=slug, fact=fact).order_by("effective_on", "pk"))


# Rows on each write path ----------------------------------------------------------------------


def test_the_demo_records_the_gpt_4o_price_cut_and_gemini_context(demo):
    (cut,) = changes("gpt-4o", "price_input_per_mtok")
    assert (cut.old, cut.new, cut.effective_on) == ("5", "2.5", datetime.date(2024, 8, 6))
    assert (cut.source, cut.kind, cut.actor) == ("demo", "changed", None)
    assert cut.summary == "Input price $5 → $2.50"
    assert "structured-outputs" in cut.source_url
    (context,) = changes("gemini-1-5-pro", "context_window")
    assert (context.old, context.new) == (1_000_000, 2_000_000)
    assert context.effective_on == datetime.date(2024, 6, 27)
    assert FactChange.objects.filter(kind="created").count() == AIModel.objects.count()
    before = FactChange.objects.count()
    call_command("load_demo_catalog", verbosity=0)
    assert FactChange.objects.count() == before  # nothing changed, nothing recorded


def test_an_import_records_who_and_which_file(tmp_path):
    path = tmp_path / "prices.json"
    path.write_text(json.dumps([{"name": "M", "context_window": "8k", "as_of": "2024-01-02"}]))
    import_file(path)
    path.write_text(json.dumps([{"name": "M", "context_window": "32k", "as_of": "2024-03-04"}]))
    import_file(path)
    (change,) = changes("m", "context_window")
    assert (change.old, change.new, change.source) == (8000, 32000, "import:prices.json")
    assert change.effective_on == datetime.date(2024, 3, 4)  # the entry's as-of date


def test_an_admin_save_records_the_editor(client):
    editor = make_editor()
    client.force_login(editor)
    model = AIModelFactory(slug="sparse-7b", name="Sparse 7B", weights="open", context_window=8)
    url = reverse("admin:models_catalog_aimodel_change", args=[model.pk])
    data = admin_form(model, context_window="32", input_modalities=[])
    assert client.post(url, data).status_code == 302
    (change,) = changes("sparse-7b", "context_window")
    assert (change.old, change.new, change.source, change.actor) == (8, 32, "admin", editor)
    assert change.effective_on == datetime.date.today()  # no as-of date: the day of the write
    client.post(reverse("admin:models_catalog_aimodel_delete", args=[model.pk]), {"post": "yes"})
    deleted = FactChange.objects.get(kind="deleted")
    assert (deleted.slug, deleted.name, deleted.aimodel) == ("sparse-7b", "Sparse 7B", None)
    assert FactChange.objects.filter(slug="sparse-7b", aimodel=None).count() > 2  # all kept


# Shown ----------------------------------------------------------------------------------------


def test_the_model_page_shows_a_short_changelog(client, demo):
    response = client.get(reverse("catalog:detail", args=["gpt-4o"]))
    assertContains(response, 'Input price $5 → $2.50, <time datetime="2024-08-06">6 Aug 2024')
    assertContains(response, '<th scope="row">Input price</th><td>$2.50 per million tokens')
    response = client.get(reverse("catalog:detail", args=["gemini-1-5-pro"]))
    assertContains(response, 'Context window 1M → 2M, <time datetime="2024-06-27">')


def test_the_changes_page_lists_and_paginates(client, demo):
    response = client.get(reverse("catalog:changes"))
    assert response.status_code == 200
    page = response.context["page_obj"]
    shown = list(page)
    assert shown[0].effective_on >= shown[-1].effective_on  # newest first
    assert all(c.kind != "changed" or c.fact in SHOWN_FACTS for c in shown)
    pages = [
        client.get(reverse("catalog:changes") + f"?page={n}")
        for n in range(1, page.paginator.num_pages + 1)
    ]
    assert all(each.status_code == 200 for each in pages)
    assert sum(b"Input price $5 \xe2\x86\x92 $2.50" in each.content for each in pages) == 1


@pytest.mark.parametrize("name", ["catalog:changes-feed", "catalog:changes-feed-atom"])
def test_the_changes_feeds_are_valid(client, demo, name, tmp_path):
    path = tmp_path / "cut.json"
    path.write_text(json.dumps([{"name": "M", "context_window": "8k"}]))
    import_file(path)
    path.write_text(json.dumps([{"name": "M", "context_window": "16k"}]))
    import_file(path)
    response = client.get(reverse(name))
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == ("atom10" if "atom" in name else "rss20")
    titles = [entry.title for entry in feed.entries]
    assert titles[0] == "M: Context window 8K → 16K"  # the latest recorded first
    assert len(titles) == 20 and len({entry.id for entry in feed.entries}) == 20


# As of a day ----------------------------------------------------------------------------------


def test_the_page_as_of_a_day(client, demo):
    url = reverse("catalog:detail", args=["gpt-4o"])
    response = client.get(url + "?as_of=2024-06-01")
    assertContains(response, '<th scope="row">Input price</th><td>$5 per million tokens')
    assertContains(response, "Facts about GPT-4o as of 1 June 2024")
    assertNotContains(response, "$5 → $2.50")  # the change came later
    response = client.get(reverse("catalog:detail", args=["gemini-1-5-pro"]) + "?as_of=2024-06-01")
    assertContains(response, '<th scope="row">Context window</th><td>1M tokens')
    assertContains(response, '<th scope="row">Input price</th><td>$3.50 per million tokens')


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("?as_of=2024-13-01", 400, "is not a date: use as_of=YYYY-MM-DD"),
        ("?as_of=yesterday", 400, "is not a date"),
        ("?as_of=20240806", 400, "is not a date"),
        ("?as_of=2999-01-01", 400, "is in the future"),
        ("?as_of=2024-01-01", 404, "GPT-4o has no facts as of 1 January 2024: its record starts"),
    ],
)
def test_a_bad_or_early_day_is_answered_clearly(client, demo, query, status, message):
    response = client.get(reverse("catalog:detail", args=["gpt-4o"]) + query)
    assert response.status_code == status
    assertContains(response, message, status_code=status)


def test_compare_as_of_a_day(client, demo):
    url = reverse("catalog:compare") + "?m=gpt-4o&m=gemini-1-5-pro&m=olmo-2-13b"
    response = client.get(url + "&as_of=2024-06-01")
    rows = {row.label: [cell.text for cell in row.cells] for row in response.context["rows"]}
    assert rows["Input price per million tokens"] == ["$5", "$3.50"]
    assert rows["Context window"] == ["128K", "1M"]
    assertContains(response, "No facts yet on 2024-06-01 for: OLMo 2 13B.")
    assert client.get(url + "&as_of=nope").status_code == 400


def test_models_json_as_of_a_day(client, demo):
    rows = json.loads(client.get("/models.json?as_of=2024-06-01").content)
    by_slug = {row["slug"]: row for row in rows}
    assert by_slug["gpt-4o"]["price_input_per_mtok"] == 5
    assert [p["amount"] for p in by_slug["gpt-4o"]["prices"]] == [5, 15]
    assert by_slug["gemini-1-5-pro"]["context_window"] == 1_000_000
    assert "olmo-2-13b" not in by_slug  # released in November 2024
    today = {row["slug"]: row for row in json.loads(client.get("/models.json").content)}
    assert today["gpt-4o"]["price_input_per_mtok"] == 2.5
    response = client.get("/models.json?as_of=2024-02-30")
    assert response.status_code == 400 and b"is not a date" in response.content


def test_the_page_cache_keys_as_of_by_its_normal_form(client, demo, page_cache):
    url = reverse("catalog:detail", args=["gpt-4o"])
    assert client.get(url + "?as_of=2024-06-01")["X-Cache"] == "miss"
    assert client.get(url + "?as_of=2024-06-01&utm=x")["X-Cache"] == "hit"
    response = client.get(url)
    assert response["X-Cache"] == "miss"
    assertContains(response, "$2.50 per million tokens")  # not the page of another day
    for _ in range(2):
        assert client.get(url + "?as_of=junk").status_code == 400  # answered, never stored


# Query counts ----------------------------------------------------------------------------------


def _more_changes(count):
    model = AIModel.objects.get(slug="gpt-4o")
    FactChange.objects.bulk_create(
        FactChange(aimodel=model, slug=model.slug, name=model.name, fact="context_window",
                   old=n, new=n + 1, effective_on=datetime.date(2024, 9, 1), source="test")
        for n in range(count)
    )  # fmt: skip


def test_model_page_and_changes_query_counts_are_flat(client, demo, django_assert_max_num_queries):
    pages = [
        reverse("catalog:detail", args=["gpt-4o"]),
        reverse("catalog:detail", args=["gpt-4o"]) + "?as_of=2024-06-01",
        reverse("catalog:changes"),
        reverse("catalog:changes-feed"),
    ]
    small = [_queries(client, url) for url in pages]
    _more_changes(120)
    with django_assert_max_num_queries(12):
        client.get(pages[0])
    with django_assert_max_num_queries(4):
        client.get(pages[2])
    assert [_queries(client, url) for url in pages] == small

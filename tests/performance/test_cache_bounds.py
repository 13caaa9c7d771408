"""The page cache stays bounded: junk query strings make no entries, and pages stay correct.

Issue 12: 3,000 requests to one article with `?x=N` made 3,000 cache entries. Every cached
page type is sent junk parameters, many distinct ones, repeated ones, huge values and
Unicode, and the number of keys in the cache must not move, while each answer is exactly
the page a reader without the junk gets (config/lib/cache_keys.py).
"""

import datetime

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from articles.announce import announcing as articles_announcing
from models_catalog.announce import announcing as catalog_announcing
from models_catalog.models import FactChange
from tests.factories import AIModelFactory, ArticleFactory
from tests.module_rows import rows_for_the_module

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache")]

# Parameters no cached page reads (and page numbers that all mean "the first page").
JUNK = [
    "x=1",
    "utm_source=newsletter&utm_medium=email&fbclid=IwAR0xyz",
    "x=1&x=2&x=3&x=1&x=2",
    "x=" + "a" * 4000,
    "%D0%BA%D0%BB%D1%8E%D1%87=%F0%9F%99%82&caf%C3%A9=%E2%80%AEevil",
    "=&&=x&%20=%20&x",
    "page=1",
    "page=abc&page=0",
    *[f"x{n}={n}" for n in range(25)],
]


def stored_keys(prefix):
    """Keys in the tests' local-memory cache starting with `prefix` ("page:", "data:").

    LocMemCache has no public way to list keys; `_cache` is its dict, and the assertion
    makes an upgrade that renames it fail loudly here rather than count nothing.
    """
    store = caches["default"]
    assert isinstance(store, LocMemCache) and isinstance(store._cache, dict)
    return {key for key in store._cache if key.split(":", 2)[-1].startswith(prefix)}


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    """{page: URL}, made once for the module."""
    yield from rows_for_the_module(django_db_blocker, make_site)


def make_site():
    # One announcement for the lot, as an import makes: the pages are all asked for after.
    with articles_announcing(), catalog_announcing():
        llama = ArticleFactory(title="Llama explained", tags=["Llama"])
        for n in range(12):
            ArticleFactory(title=f"More about llamas {n}", category=llama.category, tags=["Llama"])
        first = AIModelFactory(name="Llama 3 8B", tags=["Llama"])
        second = AIModelFactory(name="Mistral 7B", organization=first.organization)
    # A change, so the changes feeds have an item (an empty feed is dated "now").
    FactChange.objects.create(
        aimodel=second, slug=second.slug, name=second.name, fact="context_window", old=4096,
        new=8192, effective_on=datetime.date(2024, 1, 2), source="test",
    )  # fmt: skip
    year, month = llama.published_at.year, llama.published_at.month
    category, author = llama.category.slug, llama.author.slug
    return {
        "home": "/",
        "article": llama.get_absolute_url(),
        "category": f"/category/{category}/",
        "category feed": f"/category/{category}/feed/",
        "category atom": f"/category/{category}/feed/atom/",
        "author": f"/authors/{author}/",
        "author feed": f"/authors/{author}/feed/",
        "author atom": f"/authors/{author}/feed/atom/",
        "archive year": f"/archive/{year}/",
        "archive month": f"/archive/{year}/{month}/",
        "archive": "/archive/",
        "about": "/about/",
        "corrections": "/corrections/",
        "tags": "/tags/",
        "tag": "/tags/llama/",
        "tag feed": "/tags/llama/feed/",
        "tag atom": "/tags/llama/feed/atom/",
        "feed": "/feed/",
        "atom": "/feed/atom/",
        "search": "/search/?q=llama",
        "catalog": "/models/",
        "catalog filtered": "/models/?kind=language&weights=open",
        "compare": f"/models/compare/?m={first.slug}&m={second.slug}",
        "model": first.get_absolute_url(),
        "methodology": "/models/methodology/",
        "models feed": "/models/feed/",
        "changes": "/models/changes/",
        "changes feed": "/models/changes/feed/",
        "changes atom": "/models/changes/feed/atom/",
        "models atom": "/models/feed/atom/",
        "export json": "/models.json",
        "export csv": "/models.csv?tag=llama",
        "sitemap": "/sitemap.xml",
        "sitemap section": "/sitemap-articles.xml",
    }


PAGES = [
    "home",
    "article",
    "category",
    "category feed",
    "category atom",
    "author",
    "author feed",
    "author atom",
    "archive year",
    "archive month",
    "archive",
    "about",
    "corrections",
    "tags",
    "tag",
    "tag feed",
    "tag atom",
    "feed",
    "atom",
    "search",
    "catalog",
    "catalog filtered",
    "compare",
    "model",
    "methodology",
    "models feed",
    "models atom",
    "changes",
    "changes feed",
    "changes atom",
    "export json",
    "export csv",
    "sitemap",
    "sitemap section",
]


def cached_routes(patterns=None, namespace=""):
    """URL names of every cached view, read from the resolver."""
    names = set()
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= cached_routes(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and hasattr(entry.callback, "page_cache_spec"):
            names.add(namespace + entry.name)
    return names


def test_every_cached_page_type_is_tested(site):
    assert set(site) == set(PAGES)
    covered = {resolve(url.split("?")[0]).view_name for url in site.values()}
    assert covered == cached_routes()


def with_query(url, query):
    return f"{url}{'&' if '?' in url else '?'}{query}"


@pytest.mark.parametrize("page", PAGES)
def test_junk_parameters_make_no_entries_and_change_nothing(client, settings, site, page):
    url = site[page]
    settings.PAGE_CACHE = False
    fresh = client.get(url)
    assert fresh.status_code == 200
    settings.PAGE_CACHE = True
    first = client.get(with_query(url, JUNK[0]))  # rendered with the junk, then stored
    assert first["X-Cache"] == "miss" and first.content == fresh.content
    pages, data = stored_keys("page:"), stored_keys("data:")
    assert len(pages) == 1
    for junk in JUNK[1:]:
        response = client.get(with_query(url, junk))
        assert response.status_code == 200, junk
        assert response["X-Cache"] == "hit" and response.content == fresh.content, junk
    assert client.get(url)["X-Cache"] == "hit"
    assert (stored_keys("page:"), stored_keys("data:")) == (pages, data)


def test_three_hundred_junk_values_on_one_article_are_one_entry(client, site):
    """The reported case, scaled down: 3,000 made 3,000 Redis keys."""
    for n in range(300):
        assert client.get(f"{site['article']}?x={n}").status_code == 200
    assert len(stored_keys("page:")) == 1


def assert_one_entry(client, urls):
    """Every URL answers 200 with the same content, and all of them make one entry."""
    bodies = set()
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        bodies.add(response.content)
    assert len(bodies) == 1 and len(stored_keys("page:")) == 1, urls


def assert_not_stored(client, url, status=200, contains=None):
    response = client.get(url)
    assert response.status_code == status, url
    if contains:
        assert contains in response.content.decode(), url
    assert stored_keys("page:") == set(), url
    return response


def test_page_numbers_are_normalised(client, site):
    assert_one_entry(client, ["/?page=2", "/?page=02", "/?page=2&page=2", "/?page=00002"])
    caches["default"].clear()
    assert_one_entry(client, ["/", "/?page=1", "/?page=abc", "/?page=0", "/?page=-3"])


@pytest.mark.parametrize("page", ["99", "9999999", "99999999999999999999999"])
def test_a_page_past_the_last_is_answered_but_not_stored(client, site, page):
    response = assert_not_stored(client, f"/?page={page}")
    assert response.context["page_obj"].number == 2  # the last page, as before


@pytest.mark.parametrize(
    "variants",
    [
        [
            "/models/?kind=language&weights=open",
            "/models/?weights=open&kind=language",
            "/models/?kind=language&kind=language&weights=open&weights=+open+",
            "/models/?kind=language&weights=open&sort=newest&page=1&x=1",
        ],
        ["/models/?q=llama", "/models/?q=++llama+", "/models/?q=llama&q=llama"],
        ["/search/?q=llama", "/search/?q=+llama++", "/search/?q=llama&type=all&type=zzz"],
        ["/tags/", "/tags/?sort=use", "/tags/?sort="],
        ["/sitemap-articles.xml", "/sitemap-articles.xml?p=1", "/sitemap-articles.xml?p=01"],
    ],
)
def test_spellings_of_one_selection_share_one_entry(client, site, variants):
    assert_one_entry(client, variants)


def test_compare_keeps_its_order_and_drops_repeats(client, site):
    first, second = site["compare"].split("?")[1].split("&")
    assert_one_entry(
        client,
        [f"/models/compare/?{first}&{second}", f"/models/compare/?{first}&{first}&{second}"],
    )
    client.get(f"/models/compare/?{second}&{first}")  # another order: another table
    assert len(stored_keys("page:")) == 2


@pytest.mark.parametrize(
    "url,contains",
    [
        ("/models/?kind=zzz", "Unknown kind"),
        ("/models/?tag=no-such-tag", "Unknown tag"),
        ("/models/?sort=zzz", "Unknown sort"),
        ("/models/?kind=" + "&kind=".join(f"k{n}" for n in range(30)), None),
        ("/models/?q=" + "é" * 101, None),
        ("/models/?q=nothing-matches-this", None),
        ("/models.json?kind=zzz", None),
        ("/models/compare/?m=no-such-model&m=another", "Not in the catalog"),
        ("/models/compare/?" + "&".join(f"m=m{n}" for n in range(7)), None),
        ("/search/?q=zzzunfindable", None),
        ("/search/?q=%21%21%21", None),
        ("/search/?q=" + "llama+" * 40, None),
        ("/tags/?sort=%27;drop", "sort order is not available"),
    ],
)
def test_values_outside_a_page_s_bounds_are_answered_but_not_stored(client, site, url, contains):
    assert_not_stored(client, url, contains=contains)


def test_a_url_spelt_another_way_is_answered_but_not_stored(client, site):
    year = site["archive year"].split("/")[2]
    assert_not_stored(client, f"/archive/0{year}/", contains=year)
    assert_not_stored(client, f"/archive/{year}/00{site['archive month'].split('/')[3]}/")


@pytest.mark.parametrize("query", ["?p=abc", "?p=0", "?p=2", "?p=" + "9" * 30])
def test_a_sitemap_page_that_does_not_exist_is_a_404_and_not_stored(client, site, query):
    assert_not_stored(client, f"/sitemap-articles.xml{query}", status=404)


def test_an_entry_larger_than_the_cap_is_served_but_not_stored(client, settings, site):
    settings.PAGE_CACHE_MAX_BYTES = 1000
    response = client.get(site["article"])
    assert response.status_code == 200 and len(response.content) > 1000
    assert stored_keys("page:") == set()
    settings.PAGE_CACHE_MAX_BYTES = 10**6
    client.get(site["article"])
    assert len(stored_keys("page:")) == 1


def test_local_memory_cache_has_an_entry_limit():
    """config/settings.py without REDIS_URL (tests/settings.py uses its own locmem caches)."""
    from config import settings as production

    if production.REDIS_URL:
        pytest.skip("REDIS_URL is set: production settings use Redis")
    assert production.CACHES["default"]["OPTIONS"]["MAX_ENTRIES"] <= 1000
    assert production.PAGE_CACHE_MAX_BYTES <= 1024 * 1024


def test_free_text_keeps_no_counts_and_only_pages_that_found_something(client, site):
    """Counts, facets and the chart of a text selection are computed, not kept."""
    assert "Llama 3 8B" in client.get("/models/?q=Llama").content.decode()
    assert len(stored_keys("page:")) == 1 and stored_keys("data:") == set()
    for n in range(20):
        assert client.get(f"/models/?q=zz{n}").status_code == 200
        assert client.get(f"/search/?q=zz{n}").status_code == 200
    assert len(stored_keys("page:")) == 1 and stored_keys("data:") == set()

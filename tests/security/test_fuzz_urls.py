"""Property-based: random paths, slugs, query strings, pages, facets, sorts and searches sent
to every public URL pattern never produce a server error."""

import os
import re
from urllib.parse import quote, urlencode

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models_catalog.public.queries import FACETS, SORTS
from tests.factories import AIModelFactory, ArticleFactory
from tests.module_rows import rows_for_the_module

FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,  # no .hypothesis/ folder in the work tree
    # CI replays the same examples every run, so a red build always means a code change;
    # locally each run explores new inputs.
    derandomize=os.environ.get("CI") == "true",
)
pytestmark = pytest.mark.django_db
SKIP = ("admin:", "static", "media")
_CONVERTER = re.compile(r"<(?:(?P<kind>[^>:]+):)?(?P<name>[^>]+)>")


def public_routes(patterns=None, prefix="", namespace=""):
    """[(route, name)] for every URL pattern outside the admin, read from the resolver."""
    routes = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            if inner.startswith("admin:"):
                continue
            routes += public_routes(entry.url_patterns, prefix + route, inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name or route}"
            if not name.startswith(SKIP) and not route.startswith("^"):
                routes.append((prefix + route, name))
    return routes


ROUTES = public_routes()
# Anything at all, NUL and lone surrogate-free Unicode included (NUL must give a 400).
junk = st.text(st.characters(exclude_categories=["Cs"]), max_size=30)
digits_and_signs = st.from_regex(r"-?[0-9٠-٩²³¹⁰½]{0,25}", fullmatch=True)
slug = st.from_regex(r"[-a-zA-Z0-9_]{1,60}", fullmatch=True) | st.sampled_from(
    ["llm", "open-models", "model-0", "a" * 300]
)
path_value = {
    "int": st.integers(min_value=0, max_value=10**30).map(str),
    "slug": slug,
    "str": slug | junk.filter(lambda s: s and "/" not in s),
    "path": junk,
}
page = st.one_of(
    st.integers(-(10**20), 10**20).map(str), digits_and_signs, st.sampled_from(["last", "", "1e9"])
)
facet_names = [param for param, _ in FACETS]
query_value = st.one_of(
    junk, digits_and_signs, slug, st.sampled_from([*SORTS, "language", "open", "text", "2024"])
)
query = st.lists(
    st.tuples(
        st.sampled_from(["page", "q", "sort", "m", *facet_names]) | junk,
        st.one_of(query_value, page),
    ),
    max_size=8,
)


def fill(route, data):
    def replace(match):
        kind = match["kind"] or "str"
        return quote(data.draw(path_value.get(kind, junk)), safe="")

    return "/" + _CONVERTER.sub(replace, route)


def make_content():
    ArticleFactory.create_batch(3, tags=["llm"])
    ArticleFactory(slug="open-models", tags=["llm", "open"])
    AIModelFactory.create_batch(3, tags=["llm"], grades={"license": "open"})


@pytest.fixture(scope="module")
def content(django_db_setup, django_db_blocker):
    yield from rows_for_the_module(django_db_blocker, make_content)


def get(client, url):
    response = client.get(url)
    assert response.status_code < 500, url
    return response


def test_every_public_pattern_is_covered():
    names = {name for _, name in ROUTES}
    assert {"articles:home", "articles:detail", "catalog:list", "articles:search"} <= names
    assert not any(name.startswith("admin:") for name in names)


@pytest.mark.parametrize("route", [route for route, _ in ROUTES])
@FUZZ
@given(data=st.data(), params=query)
def test_public_patterns_never_fail(client, content, route, data, params):
    url = fill(route, data)
    if params:
        url += "?" + urlencode(params)
    get(client, url)


@FUZZ
@given(segments=st.lists(junk, min_size=1, max_size=5), params=query)
def test_random_paths_never_fail(client, content, segments, params):
    url = "/" + "/".join(quote(s, safe="") for s in segments)
    get(client, url + "?" + urlencode(params))


@FUZZ
@given(
    facets=st.lists(st.tuples(st.sampled_from(facet_names), query_value), max_size=10),
    sort=query_value,
    page_number=page,
    text=junk,
)
def test_catalog_facets_sorts_and_pages_never_fail(
    client, content, facets, sort, page_number, text
):
    params = [*facets, ("sort", sort), ("page", page_number), ("q", text)]
    for url in ("/models/", "/models.json", "/models.csv"):
        get(client, f"{url}?{urlencode(params)}")


@FUZZ
@given(text=junk | st.text(st.sampled_from("\"*:()-+^~&|!<>'\\ORANDNOTNEAR"), max_size=40))
def test_search_strings_never_fail(client, content, text):
    get(client, "/search/?" + urlencode({"q": text}))
    get(client, "/search/?" + urlencode({"q": text, "page": "2", "kind": text}))


@FUZZ
@given(slugs=st.lists(slug | junk, max_size=25))
def test_compare_selections_never_fail(client, content, slugs):
    get(client, "/models/compare/?" + urlencode([("m", s) for s in slugs]))


@pytest.mark.parametrize("url", ["/models.json", "/models.csv"])
def test_a_line_break_in_an_unknown_sort_is_not_a_500(client, url):
    """Found by the tests above: the export echoed the sort into a response header."""
    response = get(client, url + "?sort=%0Aa%0D%0Ab")
    assert response["X-Catalog-Notice"] == "Unknown sort ? a b? was ignored; sorted by newest."

"""At the edge (issue 18, item 2): Varnish with the repository's VCL in front of gunicorn,
both on free ports (bench/servers.py). Pages warmed through Varnish; an edit through the
write path (in this process, tasks immediate, EDGE_PURGE_URLS pointing at that Varnish)
purges exactly its keys: the edited article, its lists and its tag page are fresh on the
next request while an unrelated article is still a hit. Signed-in and preview traffic always
passes through.

Needs PostgreSQL and Redis, shared with the server (as tests/performance/test_two_servers.py),
and varnishd with the xkey module: skipped with the reason when varnishd is missing locally,
failed in CI (CI=true), which installs it (.ci/run).
"""

import os
from datetime import timedelta

import pytest
from django.utils import timezone

from articles.backoffice.preview import share_url
from articles.models import Article
from articles.writes import article_save
from bench.servers import free_port, gunicorn, varnish, varnishd_path
from tests.factories import ArticleFactory, CategoryFactory
from tests.performance.test_two_servers import REDIS_URL, Client, server_env  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def _varnish_or_skip():
    if varnishd_path() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("varnishd is missing and CI=true: .ci/run installs varnish")
        pytest.skip("varnishd is not installed (apt-get install varnish varnish-modules)")


@pytest.fixture
def edge(server_env, settings):  # noqa: F811 (the fixture imported above)
    """A Client of Varnish in front of one gunicorn; this process purges that Varnish."""
    _varnish_or_skip()
    port = free_port()
    purge_url = f"http://127.0.0.1:{port}/"
    env = {**server_env, "EDGE_PURGE_URLS": purge_url}
    shared = {"BACKEND": "config.lib.adapters.RedisCache", "LOCATION": REDIS_URL}
    settings.CACHES = {"default": {**shared, "KEY_PREFIX": "modelpress"}}
    settings.CACHES["generations"] = settings.CACHES["default"]  # the server's versions
    settings.EDGE_PURGE_URLS = [purge_url]
    settings.SECRET_KEY = env["DJANGO_SECRET_KEY"]  # share links signed as the server reads them
    with gunicorn(env, ready_within=20) as app, varnish(app.port, port=port):
        yield Client(type("Edge", (), {"base": purge_url.rstrip("/")}))


def hit(headers):
    """Varnish served it from its cache: two transaction ids, and our X-Edge says so."""
    return len(headers["X-Varnish"].split()) == 2 and headers["X-Edge"] == "hit"


def fetch(client, path, **kwargs):
    status, headers, text = client.get(path, **kwargs)
    assert status == 200, path
    return headers, text


def test_an_edit_purges_its_pages_at_the_edge_and_nothing_else(edge):
    old = timezone.now() - timedelta(days=30)
    edited = ArticleFactory(title="Before the edit", published_at=old, tags=["alpha"])
    for n in range(5):
        ArticleFactory(published_at=old + timedelta(days=n + 1))
    unrelated = ArticleFactory(title="Left alone", category=CategoryFactory(), tags=["beta"])
    pages = [edited.get_absolute_url(), "/", "/tags/alpha/", edited.category.get_absolute_url()]
    for path in [*pages, unrelated.get_absolute_url()]:
        fetch(edge, path)
        headers, _ = fetch(edge, path)
        assert hit(headers), path
        assert "s-maxage=86400" in headers["Cache-Control"]

    edited.title = "After the edit"
    article_save(edited)  # commits; the purge task runs at once (immediate backend)

    for path in pages:
        headers, text = fetch(edge, path)
        assert not hit(headers) and "After the edit" in text, path
    headers, text = fetch(edge, unrelated.get_absolute_url())
    assert hit(headers) and int(headers["Age"]) >= 0 and "Left alone" in text


def test_signed_in_and_preview_traffic_always_passes(edge):
    article = ArticleFactory()
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    session = {"Cookie": "sessionid=not-a-real-session"}
    for path, headers in [(article.get_absolute_url(), session), (share_url(draft), {})]:
        for _ in range(2):
            status, got, _ = edge.get(path, headers=headers)
            assert status == 200 and not hit(got), path

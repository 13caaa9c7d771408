"""Cache round trips of a page rendered again after a write, on Redis (issue 18, item 4).

Under load each round trip gives up the interpreter's lock and waits to take it back behind
the threads rendering beside it (tens of milliseconds each on a busy worker), so a page's
render after a write is as slow as the number of its trips. The versions the page read are
not read again for its parts (`dependencies.remembering`), and the parts it builds are stored
together at the end (`fragments.storing_together`): an article page after another article
was published took 24 trips, 13 now (a kept page and its warming record are one call)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from config.lib.adapters import ReusingRedisClient
from tests.factories import ArticleFactory
from tests.redis_cache import shared_redis

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache")]
REDIS_URL = "redis://127.0.0.1:6379/12"  # a database no other test uses


@pytest.fixture
def trips(settings, monkeypatch):
    """Pages, parts and versions in Redis under a prefix of this test's own; yields the list
    of round trips (one per cache call: a multi-key read or write is one)."""
    calls = []
    real = ReusingRedisClient.get_client

    def counted(self, key=None, *, write=False):
        calls.append(key)
        return real(self, key, write=write)

    with shared_redis(settings, REDIS_URL, "trips"):
        monkeypatch.setattr(ReusingRedisClient, "get_client", counted)
        settings.PAGE_CACHE_HIT_SAMPLE = 10**9  # no hit counted: see the test below
        yield calls


def test_an_article_page_after_a_publish_takes_few_round_trips(client, trips):
    old = timezone.now() - timedelta(days=3)
    article = ArticleFactory(title="Kept article", published_at=old, tags=["alpha"])
    for n in range(3):
        ArticleFactory(published_at=old - timedelta(days=n + 1), tags=["alpha"])
    url = article.get_absolute_url()
    client.get(url)
    trips.clear()
    assert client.get(url)["X-Cache"] == "hit" and len(trips) == 1
    ArticleFactory(title="Just published", published_at=timezone.now(), tags=["alpha"])
    trips.clear()
    response = client.get(url)
    assert response["X-Cache"] == "miss" and "Just published" in response.content.decode()
    assert len(trips) <= 13, len(trips)
    trips.clear()
    assert client.get(url)["X-Cache"] == "hit" and len(trips) == 1


def test_a_counted_hit_takes_one_more_round_trip(client, trips, settings):
    """One hit in settings.PAGE_CACHE_HIT_SAMPLE is counted (which pages a write renders first): one
    pipelined call more, for that hit only."""
    article = ArticleFactory()
    url = article.get_absolute_url()
    client.get(url)
    settings.PAGE_CACHE_HIT_SAMPLE = 1
    trips.clear()
    assert client.get(url)["X-Cache"] == "hit" and len(trips) == 2

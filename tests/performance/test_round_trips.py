"""Cache round trips of a page rendered again after a write, on Redis (issue 18, item 4).

Under load each round trip gives up the interpreter's lock and waits to take it back behind
the threads rendering beside it (tens of milliseconds each on a busy worker), so a page's
render after a write is as slow as the number of its trips. The versions the page read are
not read again for its parts (`dependencies.remembering`), and the parts it builds are stored
together at the end (`fragments.storing_together`): an article page after another article
was published took 24 trips, 14 now."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from config.lib.adapters import ReusingRedisClient
from tests.factories import ArticleFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache")]
REDIS_URL = "redis://127.0.0.1:6379/12"  # a database no other test uses


@pytest.fixture
def trips(settings, monkeypatch):
    """Pages, parts and versions in Redis under a prefix of this test's own; yields the list
    of round trips (one per cache call: a multi-key read or write is one)."""
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {error}")
    prefix = f"trips-{uuid.uuid4().hex}"
    shared = {"BACKEND": "config.lib.adapters.RedisCache", "LOCATION": REDIS_URL}
    settings.CACHES = {"default": {**shared, "KEY_PREFIX": prefix}}
    settings.CACHES["generations"] = settings.CACHES["default"]
    calls = []
    real = ReusingRedisClient.get_client

    def counted(self, key=None, *, write=False):
        calls.append(key)
        return real(self, key, write=write)

    monkeypatch.setattr(ReusingRedisClient, "get_client", counted)
    yield calls
    for key in client.scan_iter(match=f"{prefix}:*", count=1000):
        client.delete(key)


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
    assert len(trips) <= 14, len(trips)
    trips.clear()
    assert client.get(url)["X-Cache"] == "hit" and len(trips) == 1

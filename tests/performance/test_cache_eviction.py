"""Anything in the cache may be evicted (Redis runs with allkeys-lru in production), and an
evicted generation must never make a stale page look fresh; on Redis, junk query strings
make no keys either (a database of its own, keys counted with SCAN)."""

import pytest
from django.conf import settings
from django.core.cache import caches

from articles.writes import article_save
from config.lib import cache, dependencies, warming
from tests.factories import ArticleFactory
from tests.redis_cache import shared_redis

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache")]
REDIS_URL = "redis://127.0.0.1:6379/13"  # a database no other test uses


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def evict_generations():
    """What allkeys-lru may do at any moment: drop every version, the epoch and the due time."""
    store = caches["generations"]
    if settings.CACHES["generations"] != settings.CACHES["default"]:
        store.clear()  # the file cache holds versions only
        return
    client = store._cache.get_client(None, write=True)  # Redis: pages stay, versions go
    names = list(client.scan_iter(match=f"{store.key_prefix}:*dep:*", count=1000))
    assert names
    client.delete(*names)


@pytest.fixture
def frozen_clock(monkeypatch):
    """Every server's clock reads the same nanosecond: stamps may not rely on time alone."""
    monkeypatch.setattr(dependencies.time, "time_ns", lambda: 1_700_000_000_000_000_000)


def test_an_evicted_generation_never_makes_a_stale_page_fresh(client, frozen_clock):
    article = ArticleFactory(title="Before the edit")
    assert "Before the edit" in get(client, article.get_absolute_url()).content.decode()
    article.title = "After the edit"
    article_save(article)  # bumps "articles", then the generation is evicted before any reader
    evict_generations()
    response = get(client, article.get_absolute_url())
    assert response["X-Cache"] == "miss" and "After the edit" in response.content.decode()


def test_a_write_is_seen_even_when_every_clock_reads_the_same(client, frozen_clock):
    article = ArticleFactory(title="First")
    get(client, "/")
    article.title = "Second"
    article_save(article)
    assert "Second" in get(client, "/").content.decode()


def test_re_created_generations_never_repeat(frozen_clock):
    seen = set()
    for _ in range(50):
        evict_generations()
        seen.add(tuple(cache.current_generations(cache.HALVES)))
    assert len(seen) == 50


def test_pages_survive_losing_every_generation_and_are_rendered_again(client):
    article = ArticleFactory()
    get(client, article.get_absolute_url())
    assert get(client, article.get_absolute_url())["X-Cache"] == "hit"
    evict_generations()
    assert get(client, article.get_absolute_url())["X-Cache"] == "miss"
    assert get(client, article.get_absolute_url())["X-Cache"] == "hit"


@pytest.fixture
def redis_keys(settings):
    """Pages and generations in Redis under a prefix of this test's own; yields a key counter."""
    with shared_redis(settings, REDIS_URL, "bounds") as (client, prefix):

        def count(pattern="*"):
            return sum(1 for _ in client.scan_iter(match=f"{prefix}:*{pattern}", count=1000))

        yield count


def test_on_redis_junk_query_strings_make_no_keys(client, redis_keys, settings):
    settings.PAGE_CACHE_HIT_SAMPLE = 1  # every hit counted (config/lib/warming.py)
    article = ArticleFactory(tags=["Llama"])
    for url in (article.get_absolute_url(), "/", "/models/", "/search/?q=article"):
        get(client, url)
        get(client, url)  # a hit: its count is kept in one sorted set for all pages
    before = redis_keys()
    for n in range(200):
        get(client, f"{article.get_absolute_url()}?x={n}")
        get(client, f"/?utm_source={n}&page=1")
        get(client, f"/models/?fbclid={n}")
        get(client, f"/search/?q=article&ref={n}")
        get(client, f"/search/?q=unfindable{n}")
    assert redis_keys() == before
    assert redis_keys(":page:*") == 4
    store = caches["default"]
    assert store.client().zcard(store.make_and_validate_key(warming.HOT)) == 4


def test_on_redis_an_evicted_generation_never_makes_a_stale_page_fresh(
    client, redis_keys, frozen_clock
):
    article = ArticleFactory(title="Before the edit")
    get(client, article.get_absolute_url())
    article.title = "After the edit"
    article_save(article)
    evict_generations()
    assert "After the edit" in get(client, article.get_absolute_url()).content.decode()

"""A committed write's pages are rendered before its versions are published (issue 18, item 4;
config/lib/warming.py): readers' next requests are hits that show the write, never a page
older than it, and a write that cannot be prepared is published all the same."""

import threading
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.utils import timezone

from articles.writes import article_save
from config.lib import dependencies, warming
from tests.factories import AIModelFactory, ArticleFactory
from tests.performance.conftest import EDGE
from tests.redis_cache import shared_redis

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache")]
REDIS_URL = "redis://127.0.0.1:6379/13"  # a database no other test uses


@pytest.fixture
def redis(settings):
    settings.PAGE_CACHE_HIT_SAMPLE = 1  # every hit counted: a page read once is read
    with shared_redis(settings, REDIS_URL, "warm") as found:
        yield found


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Writes inside it are committed: their on-commit work runs as the block ends."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def retitle(committed):
    """An edit of an article's title, committed."""

    def edit(article, title):
        with committed():
            article.title = title
            article_save(article)

    return edit


@pytest.fixture
def publish_one(committed):
    """A new article tagged like the site's kept one, published now and committed."""

    def publish():
        with committed():
            ArticleFactory(title="Just published", published_at=timezone.now(), tags=["alpha"])

    return publish


@pytest.fixture
def site(committed):
    old = timezone.now() - timedelta(days=3)
    with committed():
        article = ArticleFactory(title="Kept article", published_at=old, tags=["alpha"])
        ArticleFactory(title="Older article", published_at=old - timedelta(days=1))
        model = AIModelFactory(name="Unrelated model")
    return article, model


def cache_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response["X-Cache"], response.content.decode()


def read(client, url):
    """The page is kept (its first reader rendered it) and read again (a hit, counted)."""
    assert cache_of(client, url)[0] == "miss", url
    assert cache_of(client, url)[0] == "hit", url


def test_a_publish_renders_its_pages_before_readers_ask(client, redis, site, publish_one):
    article, model = site
    for url in (article.get_absolute_url(), "/", model.get_absolute_url()):
        read(client, url)
    publish_one()
    for url in (article.get_absolute_url(), "/"):
        state, page = cache_of(client, url)
        assert state == "hit" and "Just published" in page, url
    assert cache_of(client, model.get_absolute_url())[0] == "hit"


def test_an_edit_is_on_the_next_read_of_every_page_that_shows_it(client, redis, site, retitle):
    article, _ = site
    read(client, "/")
    retitle(article, "Edited title")
    state, page = cache_of(client, "/")
    assert state == "hit" and "Edited title" in page and "Kept article" not in page


def test_a_write_elsewhere_meanwhile_drops_the_rendered_pages(
    client, redis, site, monkeypatch, retitle
):
    """The epoch moved while the pages rendered: they may miss that write, so readers render
    them again; the write itself is published."""
    article, model = site
    read(client, article.get_absolute_url())
    real = warming._render

    def and_another_write(record):
        real(record)
        dependencies.publish([f"model:{model.pk}"])  # another server's write

    monkeypatch.setattr(warming, "_render", and_another_write)
    retitle(article, "Edited while another wrote")
    state, page = cache_of(client, article.get_absolute_url())
    assert state == "miss" and "Edited while another wrote" in page


def test_a_write_of_other_keys_before_the_swap_keeps_the_pages(
    client, redis, site, monkeypatch, retitle
):
    article, model = site
    read(client, article.get_absolute_url())
    real = warming._swap

    def after_another_write(*args):
        dependencies.publish([f"model:{model.pk}"])  # another server's, not shown here
        return real(*args)

    monkeypatch.setattr(warming, "_swap", after_another_write)
    retitle(article, "Edited beside another write")
    state, page = cache_of(client, article.get_absolute_url())
    assert state == "hit" and "Edited beside another write" in page


def test_a_write_of_the_same_keys_before_the_swap_is_not_hidden(
    client, redis, site, monkeypatch, retitle
):
    """Another write gave one of this write's keys a new version after the pages rendered:
    they may not show it, so they are dropped, and the key gets a version neither planned."""
    article, _ = site
    read(client, article.get_absolute_url())
    key = f"article:{article.pk}"
    seen = {}
    real = warming._swap

    def after_another_write(*args):
        dependencies.publish([key])
        seen["theirs"] = dependencies.versions([key])
        return real(*args)

    monkeypatch.setattr(warming, "_swap", after_another_write)
    retitle(article, "Edited twice over")
    assert dependencies.versions([key]) != seen["theirs"]
    state, page = cache_of(client, article.get_absolute_url())
    assert state == "miss" and "Edited twice over" in page


@pytest.mark.parametrize("broken", ["_affected", "_handler"])
def test_a_failure_while_preparing_still_publishes_the_write(
    client, redis, site, monkeypatch, broken, retitle
):
    article, _ = site
    read(client, "/")

    def fails(*args):
        raise RuntimeError("broken")

    monkeypatch.setattr(warming, broken, fails)
    retitle(article, "Published all the same")
    state, page = cache_of(client, "/")
    assert state == "miss" and "Published all the same" in page


def test_at_most_the_newest_pages_are_rendered(client, redis, site, monkeypatch, publish_one):
    article, _ = site
    monkeypatch.setattr(warming, "MOST", 1)
    read(client, article.get_absolute_url())
    read(client, "/")  # read as often, kept last: rendered first
    publish_one()
    assert cache_of(client, "/")[0] == "hit"
    state, page = cache_of(client, article.get_absolute_url())
    assert state == "miss" and "Just published" in page


def test_a_catalog_change_renders_the_model_page(client, redis, site, committed):
    _, model = site
    read(client, model.get_absolute_url())
    with committed():
        model.summary = "A new summary."
        model.save()
    state, page = cache_of(client, model.get_absolute_url())
    assert state == "hit" and "A new summary." in page


def test_without_redis_nothing_is_rendered_ahead(client, site, retitle):
    article, _ = site
    assert not warming.enabled()
    read(client, "/")
    retitle(article, "Edited title")
    state, page = cache_of(client, "/")
    assert state == "miss" and "Edited title" in page


def test_no_seconds_for_it_renders_nothing_ahead(client, redis, site, settings, retitle):
    article, _ = site
    settings.PAGE_CACHE_WARM_SECONDS = 0
    read(client, "/")
    retitle(article, "Edited title")
    state, page = cache_of(client, "/")
    assert state == "miss" and "Edited title" in page


def test_a_write_while_a_writes_pages_render_is_published_at_once(redis):
    """A page may write as it renders (an article refreshing a reference that went live):
    that write is published at once, and the pages of the first are still rendered for it."""
    store = caches["default"]
    name = dependencies.stored("model:5")
    before = store.get(name)
    with dependencies.planning(["article:1"]) as plan:
        warming.publish(["model:5"])
        assert dependencies.planned() and plan["versions"].keys() == {"dep:article:1"}
    assert store.get(name) not in (None, before)


def test_one_writes_pages_render_at_a_time(client, redis, site, settings, retitle):
    """While another server's write holds the turn, a write waits for it at most as long as
    the other may hold it, then is published without rendering ahead."""
    article, _ = site
    settings.PAGE_CACHE_WARM_SECONDS = 0.2
    read(client, "/")
    store = caches["default"]
    store.client().set(store.make_and_validate_key(warming.TURN), "another", ex=5)
    retitle(article, "Edited while another rendered")
    state, page = cache_of(client, "/")
    assert state == "miss" and "Edited while another rendered" in page
    store.client().delete(store.make_and_validate_key(warming.TURN))
    retitle(article, "Edited in its turn")
    state, page = cache_of(client, "/")
    assert state == "hit" and "Edited in its turn" in page


def test_a_write_waits_for_a_turn_that_outlasts_its_own_seconds(
    client, redis, site, settings, retitle
):
    """The other write's render runs past its seconds (a page still rendering, the swap):
    this one waits for it rather than publishing mid-render, and renders its own pages."""
    article, _ = site
    settings.PAGE_CACHE_WARM_SECONDS = 0.3
    read(client, "/")
    store = caches["default"]
    turn = store.make_and_validate_key(warming.TURN)
    store.client().set(turn, "another", ex=5)
    threading.Timer(0.45, store.client().delete, args=[turn]).start()  # after 0.3 s, < 0.6
    retitle(article, "Edited after the other turn")
    state, page = cache_of(client, "/")
    assert state == "hit" and "Edited after the other turn" in page


def test_the_most_read_pages_render_first(client, redis, site, monkeypatch, publish_one):
    """Not merely the newest kept: a crawler's visit to many old pages makes them recent, not
    read. Here the article page is read more than the home page, though kept before it."""
    article, _ = site
    monkeypatch.setattr(warming, "MOST", 1)
    for _ in range(3):
        cache_of(client, article.get_absolute_url())
    read(client, "/")  # kept last, read once
    publish_one()
    assert cache_of(client, article.get_absolute_url())[0] == "hit"
    state, page = cache_of(client, "/")
    assert state == "miss" and "Just published" in page


def test_a_page_no_reader_came_back_to_is_left_to_its_next_reader(client, redis, site, publish_one):
    """Kept by its first reader and never read again (an editor's look at their article, a
    crawler's visit): a write does not spend its seconds on it; the next reader renders it."""
    article, _ = site
    read(client, "/")
    assert cache_of(client, article.get_absolute_url())[0] == "miss"  # kept, not read again
    publish_one()
    assert cache_of(client, "/")[0] == "hit"
    state, page = cache_of(client, article.get_absolute_url())
    assert state == "miss" and "Just published" in page


def test_behind_an_edge_a_page_rendered_for_a_reader_is_read(
    client, redis, site, settings, purges, publish_one
):
    """Behind an edge the app sees one request per page per purge (the edge serves the rest),
    rendered by that reader, never a hit here: it counts as read, and the next write renders
    the page ahead. Only hits counted, every purge left the page to a reader (fails without)."""
    article, _ = site
    settings.PAGE_CACHE_HIT_SAMPLE = 10**9  # no hit counted by sampling: only the edge rule
    assert cache_of(client, article.get_absolute_url())[0] == "miss"  # the edge's one miss
    publish_one()
    state, page = cache_of(client, article.get_absolute_url())
    assert state == "hit" and "Just published" in page
    assert purges  # the edge was told


def test_behind_an_edge_every_hit_here_is_counted(client, redis, site, settings, purges):
    """A hit that reaches the app behind an edge is the edge's miss for many readers: counted
    every time, not one in PAGE_CACHE_HIT_SAMPLE."""
    article, _ = site
    settings.PAGE_CACHE_HIT_SAMPLE = 10**9
    settings.EDGE_PURGE_URLS = []
    read(client, article.get_absolute_url())  # kept and hit, neither counted
    assert counted() == []
    settings.EDGE_PURGE_URLS = [EDGE]
    assert cache_of(client, article.get_absolute_url())[0] == "hit"
    assert len(counted()) == 1


def counted():
    """The page keys whose reads are counted (config/lib/warming.py `HOT`)."""
    store = caches["default"]
    return store.client().zrange(store.make_and_validate_key(warming.HOT), 0, -1)

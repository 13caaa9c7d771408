"""Public pages are cached, and no editor action ever leaves a reader with a stale page."""

import threading
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from taggit.models import Tag

from articles.backoffice.tags import tag_merge
from articles.models import Article
from articles.writes import article_save
from config.lib import cache, dependencies
from models_catalog.models import AIModel, Organization
from tests.factories import ArticleFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache")]


def get(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200, url
    return response


def test_second_anonymous_request_is_a_hit(client):
    article = ArticleFactory()
    first = get(client, article.get_absolute_url())
    second = get(client, article.get_absolute_url())
    assert first["X-Cache"] == "miss" and second["X-Cache"] == "hit"
    assert first.content == second.content


def test_hit_costs_no_page_queries(client, django_assert_max_num_queries):
    article = ArticleFactory()
    get(client, article.get_absolute_url())
    with django_assert_max_num_queries(0):
        get(client, article.get_absolute_url())


def test_editing_an_article_is_seen_at_once(client):
    article = ArticleFactory(title="First title")
    assert "First title" in get(client, "/").content.decode()
    assert "First title" in get(client, article.get_absolute_url()).content.decode()
    article.title = "Second title"
    article_save(article)
    assert "Second title" in get(client, "/").content.decode()
    assert "Second title" in get(client, article.get_absolute_url()).content.decode()


def test_publishing_and_unpublishing(client):
    draft = ArticleFactory(title="Fresh news", status=Article.Status.DRAFT, published_at=None)
    assert "Fresh news" not in get(client, "/").content.decode()
    draft.status = Article.Status.PUBLISHED
    draft.published_at = timezone.now()
    article_save(draft)
    assert "Fresh news" in get(client, "/").content.decode()
    draft.status = Article.Status.DRAFT
    article_save(draft)
    assert "Fresh news" not in get(client, "/").content.decode()
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_scheduled_article_appears_when_due_without_any_write(client, monkeypatch):
    ArticleFactory(title="Already out")
    ArticleFactory(title="Coming soon", published_at=timezone.now() + timedelta(minutes=5))
    assert "Coming soon" not in get(client, "/").content.decode()
    assert get(client, "/")["X-Cache"] == "hit"
    later = timezone.now() + timedelta(minutes=6)
    monkeypatch.setattr(timezone, "now", lambda: later)
    monkeypatch.setattr(dependencies.time, "time", lambda: later.timestamp())
    assert "Coming soon" in get(client, "/").content.decode()


def test_tagging_and_merging_invalidate_tag_pages(client):
    article = ArticleFactory(title="Tagged piece", tags=["Llama"])
    assert "Tagged piece" in get(client, "/tags/llama/").content.decode()
    article.tags.add("Open source")
    assert "Tagged piece" in get(client, "/tags/open-source/").content.decode()
    get(client, "/tags/")
    tag_merge(Tag.objects.get(name="Llama"), [Tag.objects.get(name="Open source")])
    gone = client.get("/tags/open-source/")  # merged away: a permanent redirect, not the page
    assert gone.status_code == 301 and gone["Location"] == "/tags/llama/"
    assert "Open source" not in get(client, "/tags/").content.decode()


def test_catalog_changes_reach_article_pages(client):
    organization = Organization.objects.create(name="Meta", slug="meta")
    model = AIModel.objects.create(
        name="Llama 3.1 8B", slug="llama-3-1-8b", organization=organization
    )
    article = ArticleFactory(body="Try [[model:llama-3-1-8b]].")
    assert "Llama 3.1 8B" in get(client, article.get_absolute_url()).content.decode()
    model.name = "Llama 3.1 8B Instruct"
    model.save()
    assert "Llama 3.1 8B Instruct" in get(client, article.get_absolute_url()).content.decode()


def test_editing_an_article_keeps_catalog_only_pages_cached():
    cache.current_generations(("catalog",))
    before = cache.current_generations(("catalog",))
    ArticleFactory()
    assert cache.current_generations(("catalog",)) == before


def test_logged_in_staff_never_hit_or_fill_the_cache(client):
    article = ArticleFactory()
    staff = get_user_model().objects.create_user("ed", password="x", is_staff=True)
    client.force_login(staff)
    first = get(client, article.get_absolute_url())
    assert "X-Cache" not in first
    client.logout()
    assert get(client, article.get_absolute_url())["X-Cache"] == "miss"


def test_conditional_get_answers_304(client):
    article = ArticleFactory()
    response = get(client, article.get_absolute_url())
    assert response["ETag"] and response["Last-Modified"]
    again = client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    since = client.get(article.get_absolute_url(), HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert since.status_code == 304


def test_errors_are_not_cached(client):
    assert client.get("/articles/later/").status_code == 404
    assert client.get("/articles/later/")["X-Cache"] == "miss"  # an unknown address: no entry
    ArticleFactory(slug="later", title="Later")
    assert get(client, "/articles/later/").status_code == 200


def test_a_drafts_404_is_kept_until_it_is_written(client):
    """Readers given a scheduled piece's link ask for it again and again: a lookup, not a
    render; publishing it (or its coming due) makes it 200 at once."""
    draft = ArticleFactory(slug="soon", status=Article.Status.DRAFT, published_at=None)
    assert client.get("/articles/soon/").status_code == 404
    again = client.get("/articles/soon/")
    assert again.status_code == 404 and again["X-Cache"] == "hit"
    ArticleFactory(title="Another article")  # an unrelated write: still kept
    assert client.get("/articles/soon/")["X-Cache"] == "hit"
    draft.status, draft.published_at = Article.Status.PUBLISHED, timezone.now()
    article_save(draft)
    assert get(client, "/articles/soon/").status_code == 200


def test_errors_other_than_404_are_not_cached(client, monkeypatch):
    from articles.public import views

    monkeypatch.setattr(views, "article_neighbours", lambda article: 1 / 0)
    article = ArticleFactory()
    client.raise_request_exception = False
    assert client.get(article.get_absolute_url()).status_code == 500
    assert client.get(article.get_absolute_url()).get("X-Cache") != "hit"


def test_feeds_search_and_sitemap_are_cached_and_never_stale(client):
    article = ArticleFactory(title="Feed item one", tags=["Llama"])
    for url in ["/feed/", "/feed/atom/", "/tags/llama/feed/", "/sitemap.xml", "/search/?q=feed"]:
        assert get(client, url)["X-Cache"] == "miss"
        assert get(client, url)["X-Cache"] == "hit"
    article.title = "Feed item renamed"
    article_save(article)
    assert "Feed item renamed" in get(client, "/feed/").content.decode()
    assert "Feed item renamed" in get(client, "/tags/llama/feed/").content.decode()
    assert "renamed" in get(client, "/search/?q=feed").content.decode()
    model = AIModel.objects.create(name="Fresh model", slug="fresh-model")
    assert "/models/fresh-model/" in get(client, "/sitemap-models.xml").content.decode()
    assert "Fresh model" in get(client, "/models/feed/").content.decode()
    model.delete()
    assert "/models/fresh-model/" not in get(client, "/sitemap-models.xml").content.decode()


def test_feeds_and_sitemap_answer_conditional_requests(client):
    ArticleFactory(tags=["Llama"])
    AIModel.objects.create(name="Some model", slug="some-model").tags.add("Llama")
    for url in ["/feed/", "/sitemap.xml"]:
        response = get(client, url)
        assert response["Last-Modified"] and response["ETag"], url
        again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304, url
        since = client.get(url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
        assert since.status_code == 304, url


def test_previews_are_never_cached(client):
    from articles.backoffice.preview import share_url

    draft = ArticleFactory(title="Private draft", status=Article.Status.DRAFT, published_at=None)
    url = share_url(draft).replace("http://testserver", "")
    url = url[url.index("/preview/") :]
    first = get(client, url)
    assert "X-Cache" not in first
    assert "no-cache" in first["Cache-Control"] or "no-store" in first["Cache-Control"]
    draft.title = "Private draft v2"
    article_save(draft)
    assert "Private draft v2" in get(client, url).content.decode()


def test_one_store_for_pages_and_generations_works_the_same(client, settings):
    """With Redis, pages and generations share one cache and a hit is one round trip."""
    from django.core.cache import caches

    shared = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "both"}
    settings.CACHES = {"default": shared, "generations": shared}
    for alias in ("default", "generations"):
        caches[alias].clear()
    article = ArticleFactory(title="Shared store")
    assert get(client, article.get_absolute_url())["X-Cache"] == "miss"
    assert get(client, article.get_absolute_url())["X-Cache"] == "hit"
    article.title = "Shared store, edited"
    article_save(article)
    response = get(client, article.get_absolute_url())
    assert response["X-Cache"] == "miss" and "Shared store, edited" in response.content.decode()


def test_redis_backend_reuses_one_client_per_pool():
    from config.lib.adapters import RedisCache

    backend = RedisCache("redis://127.0.0.1:6379/9", {})
    assert backend._cache.get_client() is backend._cache.get_client()


def test_head_shares_the_get_entry_and_sends_no_body(client):
    article = ArticleFactory()
    assert get(client, article.get_absolute_url())["X-Cache"] == "miss"
    head = client.head(article.get_absolute_url())
    assert head.status_code == 200 and head["X-Cache"] == "hit" and head.content == b""
    get_again = get(client, article.get_absolute_url())
    assert head["Content-Length"] == get_again["Content-Length"] == str(len(get_again.content))


def test_hit_is_served_above_the_session_layer_with_every_security_header(client):
    """PageCacheMiddleware answers a reader without cookies before sessions, auth or the view."""
    article = ArticleFactory()
    miss = get(client, article.get_absolute_url())
    hit = get(client, article.get_absolute_url())
    assert hit["X-Cache"] == "hit"
    assert not hasattr(hit.wsgi_request, "session") and not hasattr(hit.wsgi_request, "user")
    for header in (
        "Content-Security-Policy",
        "X-Frame-Options",
        "Permissions-Policy",
        "Referrer-Policy",
        "X-Content-Type-Options",
        "Cache-Control",
        "ETag",
        "Last-Modified",
        "Vary",
    ):
        assert hit[header] == miss[header], header
    assert hit.content == miss.content


def test_reader_with_a_session_cookie_is_served_through_the_view_layer(client):
    article = ArticleFactory()
    get(client, article.get_absolute_url())
    client.cookies["sessionid"] = "not-a-session"
    again = get(client, article.get_absolute_url())
    assert again["X-Cache"] == "hit" and hasattr(again.wsgi_request, "user")


def test_uncached_urls_cost_no_cache_round_trip(client, monkeypatch):
    from config.lib import cache as page_cache

    calls = []
    monkeypatch.setattr(page_cache, "_fetch", lambda *args: calls.append(args) or {})
    assert client.get("/_ping/").status_code == 200
    assert client.get("/no/such/page/").status_code == 404
    assert calls == []


def test_a_miss_reads_the_cache_once(client, monkeypatch):
    """One lookup per miss: the middleware decides and stores; the view layer does not fetch."""
    from config.lib import cache as page_cache

    calls = []
    real = page_cache._fetch
    monkeypatch.setattr(page_cache, "_fetch", lambda *args: calls.append(args) or real(*args))
    article = ArticleFactory()
    assert get(client, article.get_absolute_url())["X-Cache"] == "miss"
    assert len(calls) == 1
    assert get(client, article.get_absolute_url())["X-Cache"] == "hit"
    assert len(calls) == 2


def test_a_write_in_a_transaction_is_its_own_until_it_commits(django_capture_on_commit_callbacks):
    """Until the commit, the writer reads its new versions and every other reader the old
    ones (they still see the old rows: a bump before the commit would make them render the
    old rows again, and again after it); after the commit everyone has new ones."""
    article = ArticleFactory()
    keys = (f"article:{article.pk}", "any:articles")
    before = _in_another_thread(lambda: dependencies.versions(keys))
    with django_capture_on_commit_callbacks() as callbacks:
        article.title = "Edited"
        article_save(article)
    own = dependencies.versions(keys)
    assert own[0] != before[0] and own[1] != before[1]
    assert _in_another_thread(lambda: dependencies.versions(keys)) == before
    epoch = dependencies.current_epoch()
    assert _in_another_thread(dependencies.current_epoch) != epoch
    assert callbacks
    for callback in callbacks:
        callback()
    after = _in_another_thread(lambda: dependencies.versions(keys))
    assert dependencies.versions(keys) == after
    assert len({before[0], own[0], after[0]}) == 3  # the writer's own stamps go no further


def test_a_write_elsewhere_still_moves_a_writers_epoch(django_capture_on_commit_callbacks):
    """A page a writer renders inside its transaction is stored only if no write landed
    meanwhile, its own or another server's."""
    article = ArticleFactory()
    with django_capture_on_commit_callbacks():
        article_save(article)
    epoch = dependencies.current_epoch()
    _in_another_thread(lambda: dependencies.invalidate(["model:1"]))
    assert dependencies.current_epoch() != epoch


def _in_another_thread(function):
    found = []
    worker = threading.Thread(target=lambda: found.append(function()))
    worker.start()
    worker.join()
    return found[0]


def test_a_cached_page_still_refuses_a_host_not_allowed(client):
    article = ArticleFactory()
    assert get(client, article.get_absolute_url())["X-Cache"] == "miss"
    assert get(client, article.get_absolute_url())["X-Cache"] == "hit"
    assert client.get(article.get_absolute_url(), HTTP_HOST="evil.example").status_code == 400


def test_a_reader_with_messages_neither_reads_nor_fills_the_cache(client):
    article = ArticleFactory()
    get(client, article.get_absolute_url())
    client.cookies["messages"] = "anything"
    response = get(client, article.get_absolute_url())
    assert "X-Cache" not in response
    assert "X-Cache" not in get(client, "/")
    del client.cookies["messages"]
    assert get(client, "/")["X-Cache"] == "miss"  # nothing was stored while it was set

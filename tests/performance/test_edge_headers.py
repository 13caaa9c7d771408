"""What the edge cache is told (issue 18, item 2): surrogate keys and Cache-Control per page
type and role, and the purges that follow each write (after the commit only, retried,
logged, never failing the save)."""

import logging
import re
import urllib.error
from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from articles.backoffice.preview import share_url
from articles.models import Article
from articles.writes import article_save
from config.lib import edge
from models_catalog import writes as catalog_writes
from models_catalog.changes import WriteContext
from tests.factories import AIModelFactory, ArticleFactory
from tests.performance.conftest import EDGE
from tests.users import make_editor

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache")]


def tokens(response, header="xkey"):
    separator = "," if header == "Cache-Tag" else " "
    return set(response[header].split(separator))


def token(key):
    return edge.surrogate_token(key)


@pytest.mark.parametrize("header", ["xkey", "Surrogate-Key", "Cache-Tag"])
def test_an_article_page_carries_the_keys_it_was_built_from(client, settings, header):
    settings.EDGE_PURGE_URLS = [EDGE]
    article = ArticleFactory(tags=["alpha"])
    for response in (
        client.get(article.get_absolute_url()),
        client.get(article.get_absolute_url()),
    ):
        found = tokens(response, header)  # the miss and the hit alike
        assert {token(f"article:{article.pk}"), token(f"category:{article.category_id}")} <= found
        assert token("half:articles") in found  # a change of unknown reach purges it too
        assert token(f"article:{article.pk + 1}") not in found
    assert "s-maxage=86400" in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"] and "public" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("url", "key"),
    [("/", "list:articles"), ("/models/", "list:models"), ("/tags/alpha/", "list:tag:{tag}")],
)
def test_lists_carry_their_list_keys(client, url, key):
    article = ArticleFactory(tags=["alpha"])
    AIModelFactory()
    tag = article.tags.get().pk
    response = client.get(url)
    assert token(key.format(tag=tag)) in tokens(response)
    assert "s-maxage=0" in response["Cache-Control"]  # no edge is purged: none may keep it


def test_no_edge_keeps_a_page_past_the_next_scheduled_go_live(client, settings):
    """A scheduled article comes due with no write, so no purge: the edge's copy must expire."""
    settings.EDGE_PURGE_URLS = [EDGE]
    ArticleFactory()
    ArticleFactory(published_at=timezone.now() + timedelta(minutes=5))
    for response in (client.get("/"), client.get("/")):  # the miss and the hit
        age = int(re.search(r"s-maxage=(\d+)", response["Cache-Control"]).group(1))
        assert 0 < age <= 300
    assert "s-maxage=86400" in client.get("/models/")["Cache-Control"]  # the catalog: no limit


def test_a_page_that_declares_nothing_carries_its_whole_half(client):
    ArticleFactory()
    assert tokens(client.get("/feed/")) == {token("any:articles")}


def test_too_many_keys_fall_back_to_the_whole_halves(client, settings):
    settings.EDGE_KEYS_MAX_LENGTH = 20
    article = ArticleFactory()
    found = tokens(client.get(article.get_absolute_url()))
    assert found == {
        token(k) for k in ("any:articles", "any:catalog", "half:articles", "half:catalog")
    }


def test_logged_in_staff_get_private_pages_without_keys(client):
    article = ArticleFactory()
    client.force_login(make_editor())
    for url in (article.get_absolute_url(), "/", reverse("admin:index")):
        response = client.get(url)
        assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
        assert "xkey" not in response and "Cache-Tag" not in response, url


def test_previews_and_share_links_are_never_kept(client):
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    response = client.get(share_url(draft))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "xkey" not in response


def test_pages_not_stored_are_private(client):
    response = client.get("/no-such-article-here/")
    assert response.status_code == 404
    assert "no-store" in response.get("Cache-Control", "no-store") and "xkey" not in response


def test_a_write_purges_its_keys_after_the_commit(purges, django_capture_on_commit_callbacks):
    article = ArticleFactory()
    purges.clear()
    with django_capture_on_commit_callbacks(execute=True):
        article.title = "Purged"
        article_save(article)
        assert purges == []  # not before the commit
    assert len(purges) == 2  # the queued task's, and the writing request's own first try
    assert purges[0] == purges[1]
    url, method, header = purges[0]
    assert url == EDGE and method == "PURGE"
    assert {token(f"article:{article.pk}"), token("list:articles")} <= set(header.split())


def test_the_writing_request_purges_before_the_worker_runs_the_task(
    purges, monkeypatch, django_capture_on_commit_callbacks
):
    """With a real worker the task runs at its next poll; the request that wrote has already
    purged once, so the next read after its response is fresh at the edge."""
    queued = []  # what the worker would run later: queued, not run here
    monkeypatch.setattr(edge, "enqueue_after_commit", lambda task, *args: queued.append(args))
    article = ArticleFactory()
    purges.clear()
    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        article.title = "Purged at once"
        article_save(article)
    assert len(purges) == 1 and token(f"article:{article.pk}") in purges[0][2].split()
    assert len(queued) == 1 and queued[0][0] == EDGE  # and the task that counts is queued


def test_a_rolled_back_write_purges_nothing(purges, django_capture_on_commit_callbacks):
    article = ArticleFactory()
    purges.clear()
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            article.title = "Never"
            article_save(article)
            raise RuntimeError("rolled back")
    assert purges == []


def test_a_catalog_write_purges_the_model_key(purges, django_capture_on_commit_callbacks):
    model = AIModelFactory()
    purges.clear()
    with django_capture_on_commit_callbacks(execute=True):
        model.context_window = 1234
        catalog_writes.aimodel_save(model, WriteContext(source="test"))
    assert token(f"model:{model.pk}") in set(purges[-1][2].split())


def test_a_failing_purge_is_retried_and_logged_never_raised(
    monkeypatch, settings, caplog, django_capture_on_commit_callbacks
):
    settings.EDGE_PURGE_URLS = [EDGE]
    article = ArticleFactory()
    tries = []

    def refuse(request, timeout):
        tries.append(request.full_url)
        raise urllib.error.URLError("connection refused")

    monkeypatch.setattr(edge.urllib.request, "urlopen", refuse)
    caplog.set_level(logging.WARNING, logger="modelpress.tasks")
    caplog.set_level(logging.WARNING, logger="modelpress.edge")
    with django_capture_on_commit_callbacks(execute=True):
        article.title = "Saved all the same"
        article_save(article)  # does not raise
    assert Article.objects.get(pk=article.pk).title == "Saved all the same"
    # The request's own try, then retrying_task(attempts=5): the immediate backend retries
    # at once.
    assert len(tries) == 6
    assert any("failed at once" in r.message for r in caplog.records)
    assert any("retrying" in r.message for r in caplog.records)
    assert any("failed for good" in r.message for r in caplog.records)

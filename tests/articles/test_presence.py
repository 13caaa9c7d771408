"""Who else has an article open (issue 14, item 5), over HTTP.

The browser side (it appears for a second editor and goes when the first closes the tab) is in
tests/browser/test_autosave.py.
"""

from datetime import timedelta
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from articles.backoffice import editing
from articles.models import Article, Presence
from config.lib import cache, indexing
from tests.factories import ArticleFactory
from tests.users import make_editor

pytestmark = pytest.mark.django_db
Status = Article.Status


def beat(client, article):
    return client.post(reverse("admin:articles_article_presence", args=[article.pk]))


def leave(client, article):
    return client.post(reverse("admin:articles_article_presence_leave", args=[article.pk]))


@pytest.fixture
def clock(monkeypatch):
    """Set the time the presence code reads: `clock(moment)`."""

    def travel(moment):
        monkeypatch.setattr(editing, "timezone", SimpleNamespace(now=lambda: moment))

    return travel


@pytest.fixture
def maya(db):
    user = make_editor("maya")
    user.first_name, user.last_name = "Maya", "Okafor"
    user.save()
    return user


def test_the_second_editor_sees_the_first_by_full_name(client, editor, maya):
    article = ArticleFactory()
    client.force_login(maya)
    assert beat(client, article).json() == {"others": []}
    since = Presence.objects.get().since
    client.force_login(editor)
    assert beat(client, article).json() == {
        "others": [{"name": "Maya Okafor", "since": since.isoformat()}]
    }
    client.force_login(maya)
    assert beat(client, article).json()["others"][0]["name"] == "editor"  # no full name


def test_a_heartbeat_keeps_since_and_moves_seen_at(client, maya, clock):
    article = ArticleFactory()
    client.force_login(maya)
    start = timezone.now()
    clock(start)
    beat(client, article)
    clock(start + timedelta(seconds=30))
    beat(client, article)
    presence = Presence.objects.get()
    assert (presence.since, presence.seen_at) == (start, start + timedelta(seconds=30))


def test_someone_who_stopped_beating_is_gone_after_the_expiry(client, editor, maya, clock):
    article = ArticleFactory()
    start = timezone.now()
    client.force_login(maya)
    clock(start)
    beat(client, article)
    client.force_login(editor)
    clock(start + timedelta(seconds=39))  # one heartbeat (20 s) missed: still here
    assert [o["name"] for o in beat(client, article).json()["others"]] == ["Maya Okafor"]
    clock(start + timedelta(seconds=41))  # two missed: gone, within a minute of the last
    assert beat(client, article).json()["others"] == []
    assert list(Presence.objects.values_list("user__username", flat=True)) == ["editor"]


def test_leaving_removes_the_entry_at_once(client, editor, maya):
    article = ArticleFactory()
    client.force_login(maya)
    beat(client, article)
    assert leave(client, article).status_code == 204
    client.force_login(editor)
    assert beat(client, article).json()["others"] == []


def test_presence_is_per_article(client, editor, maya):
    one, two = ArticleFactory(), ArticleFactory()
    client.force_login(maya)
    beat(client, one)
    client.force_login(editor)
    assert beat(client, two).json()["others"] == []


def test_an_author_sees_who_edits_their_article_in_review_but_is_not_recorded(client, author, maya):
    """They may open it (read-only) but are not editing it."""
    article = ArticleFactory(author=author.author_profile, status=Status.REVIEW, published_at=None)
    client.force_login(maya)
    beat(client, article)
    client.force_login(author)
    assert [o["name"] for o in beat(client, article).json()["others"]] == ["Maya Okafor"]
    assert list(Presence.objects.values_list("user__username", flat=True)) == ["maya"]


def test_an_author_cannot_see_presence_on_someone_elses_article(client, author, maya):
    article = ArticleFactory()
    client.force_login(maya)
    beat(client, article)
    client.force_login(author)
    assert beat(client, article).status_code == 404
    assert leave(client, article).status_code == 404


@pytest.mark.parametrize("object_id", ["999999", "abc", "-1"])
def test_no_such_article_is_404(client, logged_in_editor, object_id):
    where = reverse("admin:articles_article_presence", args=[object_id])
    assert client.post(where).status_code == 404


def test_only_post_and_only_staff(client, maya):
    article = ArticleFactory()
    assert beat(client, article).status_code == 302  # to the login page
    client.force_login(maya)
    where = reverse("admin:articles_article_presence", args=[article.pk])
    assert client.get(where).status_code == 405
    assert not Presence.objects.exists()


def test_a_heartbeat_is_not_a_write_of_the_article(client, maya, monkeypatch):
    article = ArticleFactory()
    before = cache.current_generations(["articles"])
    called = []
    monkeypatch.setattr(cache, "bump", lambda *a: called.append(a))
    monkeypatch.setattr(indexing, "changed", lambda *a: called.append(a))
    client.force_login(maya)
    beat(client, article)
    leave(client, article)
    assert called == []
    assert cache.current_generations(["articles"]) == before


def test_a_heartbeat_is_a_bounded_number_of_queries(
    client, editor, maya, django_assert_max_num_queries
):
    """Session, user, permissions (2), article and tags, purge, update, the others: 9,
    however many people have the article open."""
    article = ArticleFactory()
    for n in range(5):
        editing.presence_beat(make_editor(f"e{n}"), article)
    client.force_login(maya)
    beat(client, article)
    with django_assert_max_num_queries(9):
        assert len(beat(client, article).json()["others"]) == 5


def test_the_purge_command_removes_expired_presence(maya):
    article = ArticleFactory()
    editing.presence_beat(maya, article)
    Presence.objects.update(seen_at=timezone.now() - timedelta(minutes=5))
    out = StringIO()
    call_command("purge_autosaves", stdout=out)
    assert not Presence.objects.exists()
    assert "1 expired presence entry" in out.getvalue()


def test_the_change_form_carries_the_presence_urls(client, maya):
    article = ArticleFactory()
    client.force_login(maya)
    html = client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert f'data-presence-url="/admin/articles/article/{article.pk}/presence/"' in html
    assert 'id="article-presence"' in html
    add = client.get(reverse("admin:articles_article_add")).content.decode()
    assert 'data-presence-url=""' in add

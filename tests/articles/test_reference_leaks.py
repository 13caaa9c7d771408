"""`[[article:…]]` shows a title only when readers can see the article it names.

Issue 12: a scheduled article was linked before its time (the check read `status`, not
`published_at`), draft and in-review titles ("SECRET DRAFT TITLE embargoed") showed on public
articles, and an author's preview showed another author's draft title. Now a reference to an
article readers cannot see renders exactly like a reference to nothing, decided by
`Article.objects.published()`, and follows the target as it goes live or away, a scheduled one
included, with no write.
"""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from articles.backoffice import workflow
from articles.backoffice.preview import share_url
from articles.models import Article, SearchEntry
from articles.writes import articles_delete
from config.lib import dependencies
from tests.articles.helpers import article_form_data
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory

pytestmark = pytest.mark.django_db
SECRET = "SECRET DRAFT TITLE embargoed"
BODY = "Background reading: [[article:{slug}]] explains it."
HOUR = timedelta(hours=1)
LINK = f'<a href="/articles/target/" rel="noopener noreferrer">{SECRET}</a>'


def _target(state, slug="target", **extra):
    """An article named `SECRET` in `state` ("missing" makes none)."""
    now = timezone.now()
    states = {
        "draft": {"status": Article.Status.DRAFT, "published_at": None},
        "review": {"status": Article.Status.REVIEW, "published_at": None},
        "scheduled": {"status": Article.Status.PUBLISHED, "published_at": now + HOUR},
        "trashed": {"status": Article.Status.PUBLISHED, "deleted_at": now},
        "unpublished": {"status": Article.Status.DRAFT, "published_at": now - HOUR},
        "published": {"status": Article.Status.PUBLISHED, "published_at": now - HOUR},
    }
    if state == "missing":
        return None
    return ArticleFactory(**{"title": SECRET, "slug": slug, **states[state], **extra})


def _missing_html(slug="target"):
    """The body as it renders when the slug names no article at all."""
    return ArticleFactory(slug="control", body=BODY.format(slug=slug)).body_html


HIDDEN = ["draft", "review", "scheduled", "trashed", "unpublished"]


@pytest.mark.parametrize("state", HIDDEN)
def test_a_hidden_target_renders_exactly_like_a_missing_one(client, state):
    _target(state)
    referencing = ArticleFactory(title="Public piece", body=BODY.format(slug="target"))
    assert referencing.body_html == _missing_html()
    page = client.get(referencing.get_absolute_url())
    assertNotContains(page, SECRET)
    assertNotContains(page, 'href="/articles/target/"')


@pytest.mark.parametrize("spelling", ["target", "TARGET", "Target"])
def test_a_published_target_is_a_link_with_its_title(client, spelling):
    _target("published")
    referencing = ArticleFactory(body=BODY.format(slug=spelling))
    assert LINK in referencing.body_html


@pytest.mark.parametrize("state", HIDDEN)
def test_hidden_titles_stay_out_of_feeds_and_search(client, state):
    _target(state)
    ArticleFactory(title="Public piece", body=BODY.format(slug="target"), tags=["llm"])
    for url in ("/feed/", "/feed/atom/", "/tags/llm/feed/", "/search/?q=Public"):
        assertNotContains(client.get(url), SECRET)
    assert not client.get("/search/?q=embargoed").context["total_number"]
    for body in SearchEntry.objects.values_list("body", flat=True):
        assert "embargoed" not in body


def test_many_targets_in_one_body_each_judged_alone():
    for state in ["draft", "review", "scheduled", "published"]:
        _target(state, slug=f"t-{state}", title=f"Title of {state}")
    body = " ".join(f"[[article:t-{state}]]" for state in ["draft", "review", "scheduled"])
    referencing = ArticleFactory(body=body + " [[article:t-published]]")
    assert ">Title of published</a>" in referencing.body_html
    for state in ["draft", "review", "scheduled"]:
        assert f"Title of {state}" not in referencing.body_html
        assert f"t-{state}" in referencing.body_html  # as plain text, like a missing slug


# --- following the target ----------------------------------------------------------------


def test_the_body_follows_its_target_through_every_state(editor):
    target = _target("draft")
    referencing = ArticleFactory(body=BODY.format(slug="target"))

    def shown():
        referencing.refresh_from_db()
        entry = SearchEntry.objects.get(kind="article", object_id=referencing.pk)
        in_body, in_search = SECRET in referencing.body_html, "embargoed" in entry.body
        assert in_body == in_search
        return in_body

    assert not shown()
    target = workflow.article_publish(target, editor)
    assert shown()
    target = workflow.article_unpublish(target, editor)
    assert not shown()
    target = workflow.article_publish(target, editor)
    target = workflow.article_trash(target, editor)
    assert not shown()
    target = workflow.article_restore(target, editor)
    assert shown()
    workflow.article_schedule(target, editor, timezone.now() + HOUR)
    assert not shown()


def test_a_target_deleted_for_good_disappears_from_the_body(editor):
    target = _target("published")
    referencing = ArticleFactory(body=BODY.format(slug="target"))
    articles_delete([target])
    referencing.refresh_from_db()
    assert SECRET not in referencing.body_html


def _travel(monkeypatch, when):
    monkeypatch.setattr(timezone, "now", lambda: when)
    monkeypatch.setattr(dependencies.time, "time", lambda: when.timestamp())


@pytest.mark.usefixtures("page_cache")
def test_a_scheduled_target_becomes_a_link_when_due_without_any_write(client, monkeypatch):
    due = timezone.now() + HOUR
    _target("scheduled", published_at=due)
    referencing = ArticleFactory(body=BODY.format(slug="target"))
    assert Article.objects.get(pk=referencing.pk).rerender_at == due
    url = referencing.get_absolute_url()
    assertNotContains(client.get(url), SECRET)
    assert client.get(url)["X-Cache"] == "hit"
    _travel(monkeypatch, due + timedelta(seconds=1))
    assertContains(client.get(url), LINK)
    referencing.refresh_from_db()
    assert referencing.rerender_at is None
    assert "embargoed" in SearchEntry.objects.get(object_id=referencing.pk, kind="article").body


def test_the_next_due_moment_is_the_earliest_hidden_target(monkeypatch):
    now = timezone.now()
    _target("scheduled", slug="later", published_at=now + 3 * HOUR)
    _target("scheduled", slug="sooner", published_at=now + HOUR)
    _target("draft", slug="never")
    referencing = ArticleFactory(body="[[article:later]] [[article:sooner]] [[article:never]]")
    assert referencing.rerender_at == now + HOUR
    _travel(monkeypatch, now + 2 * HOUR)
    from articles.writes import references_refresh_if_due

    references_refresh_if_due(Article.objects.get(pk=referencing.pk))
    referencing.refresh_from_db()
    assert referencing.rerender_at == now + 3 * HOUR
    assert referencing.body_html.count(SECRET) == 1


def test_rescheduling_the_target_moves_the_due_moment(editor):
    target = _target("scheduled")
    referencing = ArticleFactory(body=BODY.format(slug="target"))
    later = timezone.now() + 5 * HOUR
    workflow.article_schedule(target, editor, later)
    referencing.refresh_from_db()
    assert referencing.rerender_at == later


def test_rebuilding_the_search_index_renders_due_bodies_first(monkeypatch):
    """What the upgrade's migration relies on: bodies marked due are cleaned in one command."""
    _target("draft")
    referencing = ArticleFactory(body=BODY.format(slug="target"))
    stale = f'<p>Background reading: <a href="/articles/target/">{SECRET}</a></p>'
    Article.objects.filter(pk=referencing.pk).update(
        body_html=stale, rerender_at=timezone.now() - HOUR
    )
    call_command("rebuild_search_index", stdout=open("/dev/null", "w"))  # noqa: SIM115
    referencing.refresh_from_db()
    assert SECRET not in referencing.body_html and referencing.rerender_at is None
    assert "embargoed" not in SearchEntry.objects.get(object_id=referencing.pk).body


# --- previews -----------------------------------------------------------------------------


def test_an_authors_preview_does_not_show_another_authors_draft_title(client, author):
    _target("draft", author=AuthorFactory(name="Someone else"))
    client.force_login(author)
    data = article_form_data(
        title="My piece", body=BODY.format(slug="target"), category=CategoryFactory().pk
    )
    response = client.post(reverse("admin:articles_article_preview_add"), data)
    assert response.status_code == 200
    assertNotContains(response, SECRET)
    assertNotContains(response, 'href="/articles/target/"')


@pytest.mark.parametrize("state", ["draft", "review", "scheduled"])
def test_share_links_and_editor_previews_show_what_readers_will_see(client, editor, state):
    _target(state)
    draft = ArticleFactory(
        status=Article.Status.DRAFT, published_at=None, body=BODY.format(slug="target")
    )
    assertNotContains(client.get(share_url(draft)), SECRET)
    client.force_login(editor)
    url = reverse("admin:articles_article_preview", args=[draft.pk])
    assertNotContains(client.post(url, article_form_data(draft)), SECRET)


def test_saving_names_the_hidden_reference_without_its_title(client, editor):
    _target("draft")
    client.force_login(editor)
    data = article_form_data(
        body=BODY.format(slug="target"), category=CategoryFactory().pk, author=AuthorFactory().pk
    )
    response = client.post(reverse("admin:articles_article_add"), data, follow=True)
    notes = " ".join(str(message) for message in response.context["messages"])
    assert "[[article:target]]" in notes and "an article readers cannot see yet" in notes
    assert SECRET not in notes

"""Draft changes of a live article (issue 14, item 4): readers keep the live version until an
editor publishes the changes, now or at their scheduled time (no job to run)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from articles.backoffice import workflow
from articles.backoffice.preview import share_url
from articles.backoffice.revisions import revision_restore
from articles.models import Article, ArticleDraft, Revision
from articles.models.drafts import next_go_live
from articles.writes import article_save, draft_publish
from config.lib import cache, dependencies
from tests.articles.helpers import article_form_data
from tests.factories import AIModelFactory, ArticleFactory

pytestmark = pytest.mark.django_db
Status = Article.Status
CHANGELIST = reverse("admin:articles_article_changelist")
# Where readers could meet the new text, title, slug or tag of an article.
PUBLIC = ("/", "/feed/", "/feed/atom/", "/search/?q=Rewritten", "/sitemap-articles.xml")


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def live_by(user, **kwargs):
    return ArticleFactory(title="Live title", author=user.author_profile, tags=["live"], **kwargs)


def propose(article, user=None, **changes):
    """Draft changes to `article` through the write path: a new title, slug, body and tag."""
    fields = {"title": "Rewritten title", "slug": "rewritten-slug", "body": "Rewritten body."}
    fields.update(changes)
    for name, value in fields.items():
        setattr(article, name, value)
    return article_save(article, user, tags=["drafted"], draft=True)


def public_text(client):
    return "".join(client.get(url).content.decode() for url in PUBLIC)


def test_a_draft_save_leaves_the_live_article_alone(editor):
    article = ArticleFactory(title="Live title", tags=["live"])
    before = Article.objects.get(pk=article.pk)
    revisions = Revision.objects.filter(article=article).count()
    generations = cache.current_generations(("articles",))
    propose(article, editor)
    stored = Article.objects.get(pk=article.pk)
    assert (stored.title, stored.slug, stored.body) == (before.title, before.slug, before.body)
    assert (stored.version, stored.updated_at) == (before.version, before.updated_at)
    assert list(stored.tags.names()) == ["live"]
    assert Revision.objects.filter(article=article).count() == revisions
    # No cache invalidation and no search write for a draft save.
    assert cache.current_generations(("articles",)) == generations
    draft = ArticleDraft.objects.get(article=article)
    assert draft.content["title"] == "Rewritten title" and draft.content["tags"] == ["drafted"]
    assert "status" not in draft.content and draft.base_version == before.version


def test_a_draft_is_validated_like_a_save(editor):
    article = ArticleFactory()
    other = ArticleFactory()
    with pytest.raises(Exception, match="slug"):
        propose(article, editor, slug=other.slug)
    assert not ArticleDraft.objects.exists()


@pytest.mark.usefixtures("page_cache")
def test_readers_see_nothing_of_a_draft_until_it_is_published(client, editor):
    article = ArticleFactory(title="Live title", tags=["live"])
    model_url = AIModelFactory(tags=["drafted"]).get_absolute_url()  # "articles about" it
    assertNotContains(client.get(model_url), "Live title")
    live_url = article.get_absolute_url()
    first = client.get(live_url)
    assert first["X-Cache"] == "miss"
    public_text(client)  # every page cached as it is
    propose(article, editor)
    page = client.get(live_url)
    assert page["X-Cache"] == "hit" and "Live title" in page.content.decode()
    seen = public_text(client)
    assert "Rewritten title" not in seen and "rewritten-slug" not in seen
    assert client.get("/articles/rewritten-slug/").status_code == 404
    assertNotContains(client.get("/tags/drafted/"), "Rewritten title")
    assertNotContains(client.get(model_url), "Rewritten title")

    workflow.article_publish(article, editor)
    for url in ("/", "/feed/", "/feed/atom/"):
        assertContains(client.get(url), "Rewritten title")
    assertContains(client.get("/sitemap-articles.xml"), "/rewritten-slug/")
    assertContains(client.get("/search/?q=Rewritten"), "/articles/rewritten-slug/")
    assert "Rewritten body" in client.get("/articles/rewritten-slug/").content.decode()
    assertContains(client.get("/tags/drafted/"), "Rewritten title")
    assertContains(client.get(model_url), "Rewritten title")
    assert client.get(live_url).status_code == 404  # the old slug went with the old version
    assert not ArticleDraft.objects.filter(article=article).exists()
    stored = Article.objects.get(pk=article.pk)
    assert stored.is_published and list(stored.tags.names()) == ["drafted"]
    assert Revision.objects.filter(article=article).first().note == "Published the draft changes"


def test_an_author_proposes_changes_but_only_an_editor_publishes_them(client, author, editor):
    article = live_by(author)
    assert workflow.can_edit(author, article)
    client.force_login(author)
    data = article_form_data(article, title="Rewritten title", body="Rewritten body.")
    response = client.post(change_url(article), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    article.refresh_from_db()
    assert article.title == "Live title" and article.is_published
    assert ArticleDraft.objects.get(article=article).content["title"] == "Rewritten title"
    # The change form shows the draft, not the live version.
    assertContains(client.get(change_url(article)), "Rewritten title")

    workflow.article_submit(article, author)
    assert ArticleDraft.objects.get(article=article).status == ArticleDraft.Status.REVIEW
    assert not workflow.can_edit(author, Article.objects.get(pk=article.pk))
    with pytest.raises(PermissionDenied):
        workflow.article_publish(article, author)
    assert client.post(change_url(article), data).status_code == 403

    workflow.article_send_back(article, editor, "Cite the model card.")
    draft = ArticleDraft.objects.get(article=article)
    assert draft.status == ArticleDraft.Status.DRAFT and draft.review_comment
    assert Article.objects.get(pk=article.pk).is_published  # sending back unpublishes nothing
    workflow.article_submit(article, author)
    workflow.article_publish(article, editor)
    article.refresh_from_db()
    assert article.title == "Rewritten title" and article.is_published


def test_authors_cannot_change_other_peoples_live_articles(author, other_author):
    article = live_by(other_author)
    assert not workflow.can_edit(author, article)
    with pytest.raises(PermissionDenied):
        workflow.article_submit(article, author)


def test_submitting_a_live_article_without_draft_changes_is_refused(editor):
    with pytest.raises(workflow.WorkflowError):
        workflow.article_submit(ArticleFactory(), editor)


@pytest.mark.usefixtures("page_cache")
def test_scheduled_draft_changes_go_live_on_time_without_a_job(client, editor, monkeypatch):
    article = ArticleFactory(title="Live title")
    propose(article, editor, slug=article.slug)
    when = timezone.now() + timedelta(minutes=5)
    workflow.article_schedule(article, editor, when)
    assert ArticleDraft.objects.get(article=article).go_live_at == when
    assert "Live title" in client.get("/").content.decode()
    page = client.get(article.get_absolute_url())
    assert "Live title" in page.content.decode()
    assert client.get(article.get_absolute_url())["X-Cache"] == "hit"

    later = when + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    monkeypatch.setattr(dependencies.time, "time", lambda: later.timestamp())
    page = client.get(article.get_absolute_url())
    assert "Rewritten title" in page.content.decode()  # the first read after the time
    assert "Rewritten title" in client.get("/feed/").content.decode()
    assert not ArticleDraft.objects.filter(article=article).exists()
    stored = Article.objects.get(pk=article.pk)
    assert stored.title == "Rewritten title"
    assert Revision.objects.filter(article=article).first().note.startswith("Scheduled draft")


def test_scheduled_draft_changes_go_live_for_a_logged_in_reader_too(client, editor, monkeypatch):
    article = ArticleFactory(title="Live title")
    propose(article, editor, slug=article.slug)
    when = timezone.now() + timedelta(minutes=5)
    workflow.article_publish(article, editor, when=when)
    client.force_login(editor)
    assert "Live title" in client.get("/").content.decode()  # a list page reads the moment
    assert "Live title" in client.get(article.get_absolute_url()).content.decode()
    later = when + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    monkeypatch.setattr(dependencies.time, "time", lambda: later.timestamp())
    assert "Rewritten title" in client.get(article.get_absolute_url()).content.decode()


def test_scheduled_draft_that_no_longer_validates_stays_a_draft(editor, monkeypatch):
    article = ArticleFactory(title="Live title")
    propose(article, editor, slug="wanted-slug")
    workflow.article_schedule(article, editor, timezone.now() + timedelta(minutes=5))
    draft = ArticleDraft.objects.get(article=article)
    draft.content["title"] = "x" * 300  # too long: refused by the model when it goes live
    draft.save()
    cache.current_generations(("articles",))  # a public read learns the moment
    later = timezone.now() + timedelta(minutes=6)
    monkeypatch.setattr(timezone, "now", lambda: later)
    monkeypatch.setattr(dependencies.time, "time", lambda: later.timestamp())
    cache.due_check()
    draft.refresh_from_db()
    assert draft.go_live_at is None and "Could not go live" in draft.review_comment
    assert Article.objects.get(pk=article.pk).title == "Live title"


def test_restoring_a_revision_of_a_live_article_makes_draft_changes(client, editor):
    article = ArticleFactory(title="Old title", body="Old body.", tags=["old"])
    article_save(article, editor, note="Saved")
    old = Revision.objects.get(article=article)
    article.title, article.body = "Live title", "Live body."
    article_save(article, editor, note="Saved", tags=["new"])
    live_version = Article.objects.get(pk=article.pk).version
    client.force_login(editor)
    response = client.post(reverse("admin:articles_article_restore", args=[article.pk, old.pk]))
    assert response.status_code == 302
    stored = Article.objects.get(pk=article.pk)
    assert (stored.title, stored.body, stored.version) == ("Live title", "Live body.", live_version)
    assert list(stored.tags.names()) == ["new"]
    draft = ArticleDraft.objects.get(article=article)
    assert draft.content["title"] == "Old title" and draft.content["tags"] == ["old"]
    # A second restore would write over the draft changes: refused, nothing lost.
    with pytest.raises(Exception, match="draft changes"):
        revision_restore(old, editor)
    draft_publish(article, editor)
    assert Article.objects.get(pk=article.pk).title == "Old title"


def test_unpublishing_keeps_the_draft_changes_as_the_text(editor):
    article = ArticleFactory(title="Live title")
    propose(article, editor)
    workflow.article_unpublish(article, editor)
    stored = Article.objects.get(pk=article.pk)
    assert stored.status == Status.DRAFT and stored.title == "Rewritten title"
    assert list(stored.tags.names()) == ["drafted"]
    assert not ArticleDraft.objects.exists()


def test_discarding_draft_changes(author, editor, other_author):
    article = live_by(author)
    propose(article, author)
    with pytest.raises(PermissionDenied):
        workflow.article_discard_draft(article, other_author)
    workflow.article_discard_draft(article, author)
    assert not ArticleDraft.objects.exists()
    assert Article.objects.get(pk=article.pk).title == "Live title"


def test_share_link_shows_the_draft_changes(client, editor):
    article = ArticleFactory(title="Live title")
    propose(article, editor, slug=article.slug)
    link = share_url(Article.objects.get(pk=article.pk))
    response = client.get(link)
    assertContains(response, "Rewritten title")
    assertContains(response, "Rewritten body")
    assert "no-cache" in response["Cache-Control"]
    assertContains(client.get(article.get_absolute_url()), "Live title")
    assert Article.objects.get(pk=article.pk).body_html.count("Rewritten") == 0


def test_admin_list_shows_live_with_draft_changes(client, editor):
    plain = ArticleFactory(title="Plain live")
    changed = ArticleFactory(title="Changed live")
    propose(changed, editor, title="Changed live", slug=changed.slug)
    client.force_login(editor)
    response = client.get(CHANGELIST)
    assertContains(response, '<td class="field-state">Live + draft changes</td>', count=1)
    filtered = client.get(CHANGELIST, {"state": "draft_changes"})
    assertContains(filtered, "Changed live")
    assertNotContains(filtered, plain.title)


def test_editor_saves_draft_changes_from_the_form_then_publishes(client, editor):
    article = ArticleFactory(title="Live title")
    client.force_login(editor)
    data = article_form_data(article, title="Rewritten title", _save_draft="Save as draft")
    del data["_save"]
    assert client.post(change_url(article), data).status_code == 302
    assert Article.objects.get(pk=article.pk).title == "Live title"
    form = client.get(change_url(article))
    assertContains(form, "Rewritten title")
    assertContains(form, "draft changes")
    # Saving again keeps writing the draft (the form shows it), never the live version.
    data = article_form_data(Article.objects.get(pk=article.pk), title="Second draft")
    assert client.post(change_url(article), data).status_code == 302
    assert Article.objects.get(pk=article.pk).title == "Live title"
    assert ArticleDraft.objects.get(article=article).content["title"] == "Second draft"


def test_two_people_editing_draft_changes_never_overwrite_silently(client, author, editor):
    article = live_by(author)
    propose(article, author, slug=article.slug)
    client.force_login(editor)
    opened = client.get(change_url(article)).context["adminform"].form
    assert opened["draft_version"].value() == 1
    theirs = Article.objects.get(pk=article.pk)
    propose(theirs, author, title="Author's second go", slug=article.slug)
    data = article_form_data(
        Article.objects.get(pk=article.pk), title="Editor's version", draft_version=1
    )
    refused = client.post(change_url(article), data)
    assert refused.status_code == 200
    assertContains(refused, "Editor&#x27;s version")  # the typed text stays in the form
    assertContains(refused, "changed this article&#x27;s draft changes while you were editing")
    assert ArticleDraft.objects.get(article=article).content["title"] == "Author's second go"
    again = refused.context["adminform"].form.data.copy()
    assert client.post(change_url(article), again).status_code == 302
    draft = ArticleDraft.objects.get(article=article)
    assert draft.content["title"] == "Editor's version" and draft.version == 3
    assert Article.objects.get(pk=article.pk).title == "Live title"


def test_next_go_live_is_the_first_scheduled_article_or_draft(editor, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert next_go_live() is None
    soon = timezone.now() + timedelta(hours=3)
    ArticleFactory(published_at=soon)
    assert next_go_live() == soon
    article = ArticleFactory()
    propose(article, editor, slug=article.slug)
    sooner = timezone.now() + timedelta(hours=1)
    workflow.article_schedule(article, editor, sooner)
    with django_assert_num_queries(1):
        assert next_go_live() == sooner  # an aware datetime, on SQLite and PostgreSQL


def test_workflow_buttons_on_a_live_article_save_the_typed_text_as_its_draft(
    client, author, editor
):
    article = live_by(author)
    client.force_login(author)
    data = article_form_data(article, title="Typed title", _workflow="submit_for_review")
    assert client.post(change_url(article), data).status_code == 302
    assert Article.objects.get(pk=article.pk).title == "Live title"
    draft = ArticleDraft.objects.get(article=article)
    assert draft.content["title"] == "Typed title" and draft.status == ArticleDraft.Status.REVIEW

    client.force_login(editor)
    live = Article.objects.get(pk=article.pk)
    data = article_form_data(live, title="Editor typed", _workflow="publish_now")
    data["draft_version"] = draft.version
    assert client.post(change_url(article), data).status_code == 302
    stored = Article.objects.get(pk=article.pk)
    assert stored.title == "Editor typed" and stored.is_published
    assert not ArticleDraft.objects.exists()

from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from articles.backoffice import workflow
from articles.models import Article, Revision
from tests.factories import ArticleFactory, AuthorFactory

pytestmark = pytest.mark.django_db
Status = Article.Status
CHANGELIST = reverse("admin:articles_article_changelist")


def draft_by(user, **kwargs):
    return ArticleFactory(
        status=Status.DRAFT, published_at=None, author=user.author_profile, **kwargs
    )


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def test_draft_to_review_to_published(author, editor):
    article = draft_by(author)
    article = workflow.article_submit(article, author)
    assert article.status == Status.REVIEW
    article = workflow.article_publish(article, editor)
    assert article.is_published
    assert Article.objects.published().filter(pk=article.pk).exists()
    notes = list(Revision.objects.filter(article=article).values_list("note", flat=True))
    assert notes == ["Published", "Submitted for review"]


def test_schedule_goes_live_at_the_time_with_no_job(editor):
    article = ArticleFactory(status=Status.REVIEW, published_at=None)
    when = timezone.now() + timedelta(hours=2)
    workflow.article_schedule(article, editor, when)
    article.refresh_from_db()
    assert article.is_scheduled and not article.is_published
    assert not Article.objects.published().filter(pk=article.pk).exists()
    later = when + timedelta(seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert Article.objects.published().filter(pk=article.pk).exists()


def test_schedule_refuses_the_past(editor):
    article = ArticleFactory(status=Status.REVIEW, published_at=None)
    with pytest.raises(workflow.WorkflowError):
        workflow.article_schedule(article, editor, timezone.now() - timedelta(minutes=1))


def test_author_cannot_publish_schedule_or_unpublish(author):
    article = draft_by(author)
    with pytest.raises(PermissionDenied):
        workflow.article_publish(article, author)
    with pytest.raises(PermissionDenied):
        workflow.article_schedule(article, author, timezone.now() + timedelta(days=1))
    published = ArticleFactory(author=author.author_profile)
    with pytest.raises(PermissionDenied):
        workflow.article_unpublish(published, author)
    article.refresh_from_db()
    assert article.status == Status.DRAFT


def test_author_cannot_submit_someone_elses_draft(author, other_author):
    article = draft_by(other_author)
    with pytest.raises(PermissionDenied):
        workflow.article_submit(article, author)


def test_send_back_needs_a_comment_and_the_author_sees_it(client, author, editor):
    article = workflow.article_submit(draft_by(author), author)
    with pytest.raises(workflow.WorkflowError):
        workflow.article_send_back(article, editor, "  ")
    workflow.article_send_back(article, editor, "Please cite the model card.")
    client.force_login(author)
    response = client.get(change_url(article))
    assertContains(response, "Comment from the editors")
    assertContains(response, "Please cite the model card.")


def test_unpublish_hides_the_article(client, editor):
    article = ArticleFactory()
    workflow.article_unpublish(article, editor)
    assert client.get(article.get_absolute_url()).status_code == 404


def test_list_shows_scheduled(client, editor):
    ArticleFactory(title="Tomorrow's piece", published_at=timezone.now() + timedelta(days=1))
    client.force_login(editor)
    response = client.get(CHANGELIST)
    assertContains(response, "Scheduled")
    response = client.get(CHANGELIST, {"state": "scheduled"})
    assertContains(response, "Tomorrow&#x27;s piece")


def test_publish_button_on_the_change_form(client, editor):
    article = ArticleFactory(status=Status.REVIEW, published_at=None)
    client.force_login(editor)
    response = client.post(
        change_url(article),
        {"CHANGE_FORM-action": "publish_now", "_selected_action": article.pk},
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.is_published


def test_schedule_button_on_the_change_form(client, editor):
    article = ArticleFactory(status=Status.REVIEW, published_at=None)
    client.force_login(editor)
    when = (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    client.post(
        change_url(article),
        {"CHANGE_FORM-action": "schedule", "_selected_action": article.pk, "published_at": when},
    )
    article.refresh_from_db()
    assert article.is_scheduled


def test_schedule_from_the_list_asks_for_a_time(client, editor):
    article = ArticleFactory(status=Status.REVIEW, published_at=None)
    client.force_login(editor)
    response = client.post(CHANGELIST, {"action": "schedule", "_selected_action": article.pk})
    assertContains(response, 'type="datetime-local"')
    past = (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        CHANGELIST, {"action": "schedule", "_selected_action": article.pk, "published_at": past}
    )
    assertContains(response, "Pick a time in the future.")
    article.refresh_from_db()
    assert article.status == Status.REVIEW


def test_send_back_from_the_list(client, editor):
    article = ArticleFactory(status=Status.REVIEW, published_at=None)
    client.force_login(editor)
    client.post(
        CHANGELIST,
        {"action": "send_back", "_selected_action": article.pk, "comment": "Needs a table."},
    )
    article.refresh_from_db()
    assert article.status == Status.DRAFT and article.review_comment == "Needs a table."


def test_author_adds_a_draft_under_their_own_byline(client, author):
    from tests.articles.helpers import article_form_data

    someone = AuthorFactory()
    client.force_login(author)
    category = ArticleFactory().category
    data = article_form_data(
        category=category.pk, author=someone.pk, status="published", tags="llm, Open weights"
    )
    response = client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get(slug="a-fresh-explainer")
    assert article.author == author.author_profile  # the posted author is ignored
    assert article.status == Status.DRAFT  # and so is the posted status
    assert sorted(article.tags.names()) == ["Open weights", "llm"]


def test_author_without_a_byline_gets_one(client, db):
    from tests.users import make_user

    user = make_user("newcomer", "Authors")
    assert workflow.author_for_user(user).user == user
    assert workflow.author_for_user(user).slug == "newcomer"


def test_submit_for_review_action(client, author):
    article = draft_by(author)
    client.force_login(author)
    client.post(
        change_url(article),
        {"CHANGE_FORM-action": "submit_for_review", "_selected_action": article.pk},
    )
    article.refresh_from_db()
    assert article.status == Status.REVIEW
    response = client.get(change_url(article))  # read-only from now on
    assertNotContains(response, 'name="_save"')

"""The editor's desk (issue 16): the inbox front page, header counts, notifications, email."""

import logging
import zoneinfo
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from articles.backoffice import workflow
from articles.models import Article, DeskProfile, Notification
from tests.factories import ArticleFactory
from tests.users import make_author

pytestmark = pytest.mark.django_db
# Mail is queued once a step commits: tests of email commit for real.
committing = pytest.mark.django_db(transaction=True)
Status = Article.Status
INDEX = reverse("admin:index")
MINE = reverse("admin:articles_deskprofile_mine")


class FailingBackend(BaseEmailBackend):
    """A mail server that is down."""

    calls = 0

    def send_messages(self, messages):
        FailingBackend.calls += 1
        raise ConnectionRefusedError("mail server down")


def draft_by(user, **kwargs):
    return ArticleFactory(
        status=Status.DRAFT, published_at=None, author=user.author_profile, **kwargs
    )


def with_email(user, address=None):
    user.email = address or f"{user.username}@example.com"
    user.save()
    return user


# --- the inbox -----------------------------------------------------------------------------


def test_editor_inbox_lists_review_oldest_first_with_who_and_since(client, editor, author):
    first, second = draft_by(author, title="First in"), draft_by(author, title="Second in")
    workflow.article_submit(first, author)
    workflow.article_submit(second, author)
    client.force_login(editor)
    response = client.get(INDEX)
    section = response.context["inbox"][0]
    assert section[0] == "review"
    assert [a.title for a in section[2]] == ["First in", "Second in"]
    assert section[2][0].submitted_by == "author"
    assertContains(response, "submitted by author")
    change = reverse("admin:articles_article_change", args=[first.pk])
    assertContains(response, f'href="{change}#workflow">Review</a>', html=False)


def test_scheduled_shows_the_next_14_days_in_the_editors_time_zone(client, editor):
    DeskProfile.objects.create(user=editor, time_zone="Asia/Tokyo")
    when = timezone.now().replace(microsecond=0) + timedelta(days=2)
    soon = ArticleFactory(title="Soon", status=Status.PUBLISHED, published_at=when)
    ArticleFactory(
        title="Later", status=Status.PUBLISHED, published_at=timezone.now() + timedelta(days=20)
    )
    client.force_login(editor)
    response = client.get(INDEX)
    sections = {key: rows for key, _, rows in response.context["inbox"]}
    assert [a.pk for a in sections["scheduled"]] == [soon.pk]
    local = when.astimezone(zoneinfo.ZoneInfo("Asia/Tokyo"))
    assertContains(response, f"{local:%H:%M} JST")
    assertContains(response, "Times in Asia/Tokyo")


def test_recently_published_links_to_the_site(client, editor):
    live = ArticleFactory(title="Live now", status=Status.PUBLISHED)
    client.force_login(editor)
    response = client.get(INDEX)
    assertContains(response, f'<a href="{live.get_absolute_url()}">View on site</a>', html=True)


def test_author_inbox_sent_back_with_comment_drafts_and_in_review(client, editor, author):
    other = make_author("other")
    back = draft_by(author, title="Came back")
    workflow.article_submit(back, author)
    workflow.article_send_back(back, editor, "Cite the model card, please.")
    draft_by(author, title="Still writing")
    waiting = draft_by(author, title="Waiting")
    workflow.article_submit(waiting, author)
    draft_by(other, title="Someone else's")
    client.force_login(author)
    response = client.get(INDEX)
    sections = {key: [a.title for a in rows] for key, _, rows in response.context["inbox"]}
    assert sections == {
        "sent-back": ["Came back"],
        "drafts": ["Still writing"],
        "in-review": ["Waiting"],
    }
    assertContains(response, "Cite the model card, please.")
    assertNotContains(response, "Someone else")


def test_header_counts_on_every_admin_page(client, editor, author):
    for n in range(3):
        workflow.article_submit(draft_by(author, title=f"R{n}"), author)
    client.force_login(editor)
    for url in (INDEX, reverse("admin:articles_article_changelist"), MINE):
        response = client.get(url)
        assertContains(response, '<span class="desk-count" data-count="review">3</span>')
    client.force_login(author)
    response = client.get(reverse("admin:articles_article_changelist"))
    assertContains(response, '<span class="desk-count" data-count="in-review">3</span>')


@pytest.mark.parametrize("role", ["editor", "author"])
def test_inbox_query_count_is_flat(client, editor, author, role, django_assert_max_num_queries):
    def fill(n):
        for i in range(n):
            workflow.article_submit(draft_by(author, title=f"Review {i}"), author)
            draft_by(author, title=f"Draft {i}")
            back = draft_by(author, title=f"Back {i}")
            workflow.article_submit(back, author)
            workflow.article_send_back(back, editor, "Again")
            ArticleFactory(status=Status.PUBLISHED, author=author.author_profile)
            ArticleFactory(
                status=Status.PUBLISHED,
                published_at=timezone.now() + timedelta(days=1),
                author=author.author_profile,
            )

    client.force_login(editor if role == "editor" else author)
    fill(1)
    client.get(INDEX)  # the session and content types are warm
    with django_assert_max_num_queries(14) as small:
        client.get(INDEX)
    fill(6)
    Notification.objects.update(read_at=timezone.now())  # as after the first visit
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(INDEX)
    assert response.status_code == 200


# --- notifications -----------------------------------------------------------------------


@committing
def test_submit_notifies_every_editor_but_not_the_author(editor, author):
    second = with_email(make_author("second-editor"))
    second.groups.clear()
    second.groups.add(editor.groups.get())
    with_email(editor)
    workflow.article_submit(draft_by(author, title="Ready"), author)
    notified = set(Notification.objects.values_list("recipient__username", flat=True))
    assert notified == {"editor", "second-editor"}
    assert sorted(m.to[0] for m in mail.outbox) == [
        "editor@example.com",
        "second-editor@example.com",
    ]
    assert "“Ready” was submitted for review by author." in mail.outbox[0].subject


@committing
def test_send_back_publish_and_schedule_notify_the_author(editor, author):
    with_email(author)
    article = draft_by(author, title="Piece")
    workflow.article_submit(article, author)
    workflow.article_send_back(article, editor, "Shorter dek")
    workflow.article_submit(article, author)
    workflow.article_schedule(article, editor, timezone.now() + timedelta(days=1))
    workflow.article_publish(article, editor)
    kinds = list(
        Notification.objects.filter(recipient=author).order_by("pk").values_list("kind", flat=True)
    )
    assert kinds == ["sent_back", "scheduled", "published"]
    assert [m.to for m in mail.outbox] == [["author@example.com"]] * 3
    assert "Shorter dek" in mail.outbox[0].body
    assert reverse("admin:articles_article_change", args=[article.pk]) in mail.outbox[0].body


def test_scheduled_notice_is_in_the_authors_time_zone(editor, author):
    DeskProfile.objects.create(user=author, time_zone="America/New_York")
    when = timezone.now().replace(microsecond=0) + timedelta(days=3)
    article = draft_by(author)
    workflow.article_schedule(article, editor, when)
    local = when.astimezone(zoneinfo.ZoneInfo("America/New_York"))
    notice = Notification.objects.get(recipient=author)
    assert f"{local:%H:%M} ({local.tzname()})" in notice.message


@committing
def test_email_off_in_the_profile_sends_no_mail_but_leaves_the_notice(client, editor, author):
    with_email(author)
    client.force_login(author)
    response = client.post(MINE, {"time_zone": "Europe/Paris"})  # the box left unticked
    assert response.status_code == 302
    profile = DeskProfile.objects.get(user=author)
    assert not profile.email_notifications and profile.time_zone == "Europe/Paris"
    workflow.article_send_back(
        ArticleFactory(status=Status.REVIEW, author=author.author_profile, published_at=None),
        editor,
        "No",
    )
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=author).count() == 1


def test_my_notifications_is_each_users_own(client, editor, author):
    DeskProfile.objects.create(user=editor, time_zone="Asia/Tokyo")
    client.force_login(author)
    response = client.get(MINE)
    assert response.status_code == 200
    assert response.context["form"].instance.user == author
    assertNotContains(response, 'Asia/Tokyo" selected')
    # Nobody lists or opens other people's profiles, superusers included.
    profile = DeskProfile.objects.get(user=editor)
    client.force_login(editor)
    assert client.get(reverse("admin:articles_deskprofile_changelist")).status_code == 403
    change = reverse("admin:articles_deskprofile_change", args=[profile.pk])
    assert client.get(change).status_code == 403


def test_a_notice_shows_on_the_next_admin_page_once(client, editor, author):
    article = draft_by(author, title="Piece")
    workflow.article_submit(article, author)
    workflow.article_send_back(article, editor, "Fix the intro")
    client.force_login(author)
    response = client.get(reverse("admin:articles_article_changelist"))
    assertContains(response, "“Piece” was sent back to you with a comment.")
    assertContains(response, "Fix the intro")
    assert not Notification.objects.unread().filter(recipient=author).exists()
    response = client.get(reverse("admin:articles_article_changelist"))
    assertNotContains(response, 'id="desk-notices"')


@committing
def test_a_failing_mail_server_never_breaks_the_save_and_is_retried_and_logged(
    settings, editor, author, caplog
):
    settings.MAILERS = {"default": {"BACKEND": "tests.articles.test_desk.FailingBackend"}}
    with_email(author)
    FailingBackend.calls = 0
    article = draft_by(author, title="Piece")
    workflow.article_submit(article, author)
    with caplog.at_level(logging.WARNING, logger="modelpress.tasks"):
        workflow.article_send_back(article, editor, "Fix it")
    article.refresh_from_db()
    assert article.status == Status.DRAFT and article.review_comment == "Fix it"
    notice = Notification.objects.get(recipient=author)
    assert notice.emailed_at is None  # shown on the admin page all the same
    assert FailingBackend.calls == 5  # every attempt of the retrying task
    records = [r for r in caplog.records if r.name == "modelpress.tasks"]
    assert sum("retrying" in r.getMessage() for r in records) == 4
    assert any("failed for good" in r.getMessage() for r in records)


@committing
def test_a_retry_never_sends_a_notice_twice(editor, author):
    from articles.backoffice.notifications import notification_mail

    with_email(author)
    workflow.article_send_back(
        ArticleFactory(status=Status.REVIEW, author=author.author_profile, published_at=None),
        editor,
        "Once",
    )
    assert len(mail.outbox) == 1
    notification_mail.enqueue(list(Notification.objects.values_list("pk", flat=True)))
    assert len(mail.outbox) == 1


@committing
def test_an_admin_save_with_a_failing_mail_server_succeeds(client, settings, editor, author):
    settings.MAILERS = {"default": {"BACKEND": "tests.articles.test_desk.FailingBackend"}}
    with_email(editor)
    article = draft_by(author)
    client.force_login(author)
    response = client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "submit_for_review", "_selected_action": [article.pk]},
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Status.REVIEW
    assert Notification.objects.filter(recipient=editor).count() == 1

"""Issue 14, items 1, 2 and 6: workflow buttons keep the form, saves merge, authors withdraw.

Each save posts the whole change form as a browser would (tests/articles/helpers.py), with
the version it was opened at in `base_version`; opening the form (a GET) records that
version's revision, which is the base of a three-way merge.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from articles.backoffice.merge import merge_tags, three_way
from articles.models import Article, Revision
from tests.articles.helpers import article_form_data
from tests.factories import ArticleFactory
from tests.users import make_editor

pytestmark = pytest.mark.django_db
Status = Article.Status


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def opened(client, article):
    """Open the change form (as a browser does) and return the form data it would post."""
    client.get(change_url(article))
    article = Article.all_objects.get(pk=article.pk)
    return article_form_data(article)


def post(client, article, data, **overrides):
    return client.post(change_url(article), {**data, **overrides})


def stored(article):
    return Article.all_objects.get(pk=article.pk)


def draft_by(user, **kwargs):
    return ArticleFactory(
        status=Status.DRAFT, published_at=None, author=user.author_profile, **kwargs
    )


# --- item 1: workflow buttons act on the form as typed ---------------------------------------


def test_author_edits_then_submits_and_the_edit_is_kept_in_one_revision(client, author):
    article = draft_by(author, body="Old body.")
    client.force_login(author)
    form = opened(client, article)
    before = Revision.objects.filter(article=article).count()
    response = post(client, article, form, body="New body, typed.", _workflow="submit_for_review")
    assert response.status_code == 302
    article = stored(article)
    assert article.status == Status.REVIEW and article.body == "New body, typed."
    revisions = Revision.objects.filter(article=article)
    assert revisions.count() == before + 1
    latest = revisions.first()
    assert latest.note == "Submitted for review" and latest.content["body"] == "New body, typed."


def test_author_cannot_publish_with_the_button_and_keeps_the_text(client, author):
    article = draft_by(author, body="Old body.")
    client.force_login(author)
    form = opened(client, article)
    response = post(client, article, form, body="Typed but refused.", _workflow="publish_now")
    assert response.status_code == 200
    assertContains(response, "Only editors can publish.")
    assertContains(response, "Typed but refused.")
    article = stored(article)
    assert article.body == "Old body." and article.status == Status.DRAFT


def test_send_back_without_a_comment_is_a_form_error_with_the_text_kept(client, editor):
    article = ArticleFactory(status=Status.REVIEW, published_at=None, body="Old.")
    client.force_login(editor)
    form = opened(client, article)
    response = post(client, article, form, body="Edited by the editor.", _workflow="send_back")
    assert response.status_code == 200
    assertContains(response, "Write a comment telling the author what to change.")
    assertContains(response, "Edited by the editor.")
    assert stored(article).body == "Old."

    response = post(
        client, article, form, body="Edited by the editor.", _workflow="send_back",
        send_back_comment="Add sources.",
    )  # fmt: skip
    assert response.status_code == 302
    article = stored(article)
    assert article.status == Status.DRAFT and article.review_comment == "Add sources."
    assert article.body == "Edited by the editor."


def test_schedule_and_publish_and_unpublish_save_the_fields_first(client, editor):
    article = ArticleFactory(status=Status.REVIEW, published_at=None)
    client.force_login(editor)
    form = opened(client, article)
    response = post(client, article, form, dek="Past.", _workflow="schedule",
                    schedule_at=(timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))  # fmt: skip
    assert response.status_code == 200
    assertContains(response, "Pick a publication time in the future.")
    assert stored(article).dek != "Past."

    when = (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = post(client, article, form, dek="Soon.", _workflow="schedule", schedule_at=when)
    assert response.status_code == 302
    assert stored(article).is_scheduled and stored(article).dek == "Soon."

    form = opened(client, article)
    post(client, article, form, dek="Now.", _workflow="publish_now")
    assert stored(article).is_published and stored(article).dek == "Now."

    form = opened(client, article)
    response = post(client, article, form, dek="Off.", _workflow="unpublish")
    assert response.status_code == 302
    assert stored(article).status == Status.DRAFT and stored(article).dek == "Off."
    notes = list(Revision.objects.filter(article=article).values_list("note", flat=True)[:3])
    assert notes[0] == "Unpublished" and notes[1] == "Published"


def test_an_invalid_field_refuses_the_step(client, editor):
    article = ArticleFactory(status=Status.REVIEW, published_at=None)
    client.force_login(editor)
    form = opened(client, article)
    response = post(client, article, form, title="", body="Kept.", _workflow="publish_now")
    assert response.status_code == 200
    assertContains(response, "Kept.")
    assert stored(article).status == Status.REVIEW


# --- item 6: withdraw and trash ---------------------------------------------------------------


def test_author_withdraws_their_submission_from_the_change_form(client, author):
    article = draft_by(author)
    client.force_login(author)
    client.post(change_url(article), {**opened(client, article), "_workflow": "submit_for_review"})
    assertContains(client.get(change_url(article)), 'value="withdraw"', html=False)
    response = client.post(
        change_url(article), {"CHANGE_FORM-action": "withdraw", "_selected_action": article.pk}
    )
    assert response.status_code == 302
    assert stored(article).status == Status.DRAFT
    assert Revision.objects.filter(article=article).first().note == "Withdrawn from review"


def test_author_trashes_their_own_draft_but_not_a_published_article(client, author):
    draft = draft_by(author)
    published = ArticleFactory(author=author.author_profile)
    client.force_login(author)
    delete = reverse("admin:articles_article_delete", args=[draft.pk])
    assertContains(client.get(delete), "moves the article to the trash")
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert stored(draft).is_trashed
    delete = reverse("admin:articles_article_delete", args=[published.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert not stored(published).is_trashed


# --- item 2: three-way merge --------------------------------------------------------------------


@pytest.fixture
def two_editors(client, editor):
    second = make_editor("second")
    article = ArticleFactory(
        title="Mixture of experts", dek="Old dek.", body="Old body.", tags=["llm", "moe"]
    )
    client.force_login(editor)
    mine = opened(client, article)  # the first editor's form
    client.force_login(second)
    theirs = opened(client, article)  # the second editor's form, same base
    return article, editor, second, mine, theirs


def test_different_fields_both_survive(client, two_editors):
    article, editor, second, mine, theirs = two_editors
    assert post(client, article, theirs, dek="Their dek.").status_code == 302
    client.force_login(editor)
    response = client.post(change_url(article), {**mine, "body": "My body."}, follow=True)
    assertContains(response, "their changes to Dek are kept")
    article = stored(article)
    assert article.dek == "Their dek." and article.body == "My body."


def test_save_after_a_conflict_never_reverts_a_field_i_did_not_touch(client, two_editors):
    """The reported bug: "Save again to keep your version" reverted the other summary."""
    article, editor, second, mine, theirs = two_editors
    post(client, article, theirs, dek="Their dek.", body="Their body.")
    client.force_login(editor)
    response = post(client, article, mine, body="My body.")
    assert response.status_code == 200  # the body conflicts: nothing saved
    assert stored(article).body == "Their body."
    version = stored(article).version
    response = post(
        client, article, mine, body="My body.", conflict_version=version, resolve_body="mine"
    )
    assert response.status_code == 302
    article = stored(article)
    assert article.body == "My body." and article.dek == "Their dek."


def test_take_theirs_resolves_a_conflict_with_their_text(client, two_editors):
    article, editor, second, mine, theirs = two_editors
    post(client, article, theirs, title="Their title")
    client.force_login(editor)
    version = stored(article).version
    response = post(
        client, article, mine, title="My title", body="Mine.",
        conflict_version=version, resolve_title="theirs",
    )  # fmt: skip
    assert response.status_code == 302
    article = stored(article)
    assert article.title == "Their title" and article.body == "Mine."


def test_a_choice_made_against_an_older_version_is_asked_again(client, two_editors):
    article, editor, second, mine, theirs = two_editors
    post(client, article, theirs, title="Their title")
    stale = stored(article).version
    post(client, article, {**theirs, "base_version": stale}, title="Their second title")
    client.force_login(editor)
    response = post(
        client, article, mine, title="My title", conflict_version=stale, resolve_title="mine"
    )
    assert response.status_code == 200
    assert stored(article).title == "Their second title"


def test_tags_merge_as_sets(client, two_editors):
    article, editor, second, mine, theirs = two_editors
    post(client, article, theirs, tags="llm, moe, sparse")  # they add "sparse"
    client.force_login(editor)
    response = post(client, article, mine, tags="llm, routing")  # I drop "moe", add "routing"
    assert response.status_code == 302
    assert sorted(stored(article).tags.names()) == ["llm", "routing", "sparse"]


def test_a_workflow_button_on_a_conflict_takes_no_step(client, two_editors):
    article, editor, second, mine, theirs = two_editors
    post(client, article, theirs, body="Their body.")
    client.force_login(editor)
    response = post(client, article, mine, body="My body.", _workflow="unpublish")
    assert response.status_code == 200
    assertContains(response, "Edit conflict")
    assert stored(article).status == Status.PUBLISHED and stored(article).body == "Their body."


def test_their_publish_is_kept_when_i_only_edit_text(client, editor):
    article = ArticleFactory(status=Status.REVIEW, published_at=None)
    client.force_login(editor)
    form = opened(client, article)
    post(client, article, form, _workflow="publish_now")
    response = post(client, article, form, body="A later fix.")  # the form still says review
    assert response.status_code == 302
    article = stored(article)
    assert article.is_published and article.body == "A later fix."


def test_three_way_rules():
    base = {"title": "A", "body": "B", "dek": "C", "tags": ["x", "y"]}
    mine = {"title": "A2", "body": "B", "dek": "C3", "tags": ["x", "z"]}
    theirs = {"title": "A", "body": "B2", "dek": "C4", "tags": ["x", "y", "w"]}
    choices, tags, conflicts = three_way(base, mine, theirs)
    assert choices == {"title": "mine", "body": "theirs"}
    assert conflicts == ["dek"]
    assert tags == ["x", "w", "z"]
    choices, tags, conflicts = three_way(None, mine, {**mine, "body": "B2"})
    assert conflicts == ["body"] and tags is None  # no base: equal tags need no choice


def test_whitespace_and_line_endings_are_not_edits():
    base = {"body": "One\nTwo\n"}
    choices, _, conflicts = three_way(base, {"body": "One\r\nTwo"}, {"body": "Three"})
    assert choices == {"body": "theirs"} and conflicts == []


def test_merge_tags_ignores_case():
    assert merge_tags(["LLM"], ["llm", "New"], ["Llm", "theirs"]) == ["Llm", "theirs", "New"]

"""Reviewing (issue 16): changes since the last review, diffs with a little context, and a
fresh comment box on every round."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from articles.backoffice import workflow
from articles.backoffice.forms import SendBackForm
from articles.backoffice.revisions import GAP, diff_contents, diff_words, last_review
from articles.models import Article, Revision
from tests.articles.helpers import article_form_data
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db
Status = Article.Status
WORDS = " ".join(f"word{i}" for i in range(200))


def compare_url(article):
    return reverse("admin:articles_article_compare", args=[article.pk])


def history_url(article):
    return reverse("admin:articles_article_history", args=[article.pk])


def author_saves(client, author, article, **changes):
    client.force_login(author)
    article.refresh_from_db()
    response = client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        article_form_data(article, **changes),
    )
    assert response.status_code == 302, response.content


def reviewed_then_revised(client, editor, author):
    """Submitted, sent back, then two saves by the author and a resubmission."""
    article = ArticleFactory(
        status=Status.DRAFT, published_at=None, author=author.author_profile, body="Round one."
    )
    workflow.article_submit(article, author)
    workflow.article_send_back(article, editor, "Say which model.")
    author_saves(client, author, article, body="Round two, first try.")
    author_saves(client, author, article, body="Round two: Llama 3.1 405B.")
    workflow.article_submit(article, author)
    return Article.objects.get(pk=article.pk)


def test_last_review_is_the_send_back(client, editor, author):
    article = reviewed_then_revised(client, editor, author)
    review = last_review(article)
    assert review.note == "Sent back to draft: Say which model."


def test_compare_defaults_to_changes_since_the_last_review(client, editor, author):
    article = reviewed_then_revised(client, editor, author)
    client.force_login(editor)
    response = client.get(compare_url(article))
    assert response.status_code == 200
    assert response.context["older"] == last_review(article)
    assert response.context["newer"] == Revision.objects.filter(article=article).first()
    assertContains(response, "since the last review")
    assertContains(response, "<del>one</del>", html=False)
    assertContains(response, "Llama 3.1 405B")


def test_history_preselects_the_last_review(client, editor, author):
    article = reviewed_then_revised(client, editor, author)
    client.force_login(editor)
    response = client.get(history_url(article))
    review = last_review(article)
    assertContains(response, f'name="a" value="{review.pk}" aria-label', html=False)
    assertContains(response, f'value="{review.pk}" aria-label="Compare from this revision" checked')
    assertContains(response, "Changes since the last review")


def test_without_a_review_compare_shows_the_last_change(client, editor):
    article = ArticleFactory(body="First.")
    client.force_login(editor)
    author_saves(client, editor, article, body="Second.")
    author_saves(client, editor, article, body="Third.")
    response = client.get(compare_url(article))
    assertContains(response, "<del>Second</del><ins>Third</ins>", html=False)
    assertNotContains(response, "since the last review")


def test_diff_shows_changed_passages_with_a_little_context_not_the_whole_body():
    old = f"{WORDS}\n\nThe middle paragraph is old.\n\n{WORDS}"
    new = f"{WORDS}\n\nThe middle paragraph is new.\n\n{WORDS}"
    [(label, html)] = diff_contents({"body": old}, {"body": new})
    assert label == "Body"
    assert "<del>old</del><ins>new</ins>" in html
    assert "word199" in html  # the nearest words before the change
    assert "word0 " in html  # ...and after it
    assert "word100" not in html  # but not the whole body
    assert html.count(GAP) == 2
    assert len(html) < 600


def test_diff_context_keeps_short_texts_whole():
    assert GAP not in diff_words("a b c d", "a b x d", context=12)
    assert diff_words(WORDS, WORDS + " end") == diff_words(WORDS, WORDS + " end", None)


def test_every_round_starts_with_an_empty_comment_box(client, editor, author):
    article = reviewed_then_revised(client, editor, author)
    assert article.status == Status.REVIEW
    assert article.review_comment == ""  # cleared by the resubmission
    assert "Say which model." in last_review(article).note  # kept in the history
    client.force_login(editor)
    response = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assertNotContains(response, "Say which model.")
    assert 'autocomplete="off"' in str(SendBackForm()["comment"])  # the list's action
    field = response.context["adminform"].form["send_back_comment"]  # the change form's box
    assert field.value() in (None, "") and 'autocomplete="off"' in str(field)

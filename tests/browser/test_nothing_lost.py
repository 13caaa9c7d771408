"""Issue 14 in a real browser: workflow buttons keep what was typed, two editors merge.

Each journey waits on the page (messages, selectors), never on a fixed delay, and reads back
from the database what the browser wrote.
"""

import pytest
from playwright.sync_api import expect

from articles.models import Article, Revision
from tests.browser.pages import login
from tests.factories import ArticleFactory
from tests.users import PASSWORD, make_author, make_editor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Status = Article.Status


def test_author_edits_the_body_then_submits_and_the_edit_is_kept(live_server, new_context):
    author = make_author()
    article = ArticleFactory(
        title="Small models", body="First draft.", status=Status.DRAFT, published_at=None,
        author=author.author_profile,
    )  # fmt: skip
    page = login(new_context(), live_server, "author", PASSWORD)
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    typed = "Second draft, typed just before pressing Submit."
    page.fill("#id_body", typed)
    page.click("#workflow button[value=submit_for_review]")
    expect(page.locator(".messagelist")).to_contain_text("saved and submitted for review")
    expect(page.locator("#workflow-title")).to_contain_text("in review")
    expect(page.locator(".field-body .readonly")).to_contain_text(typed)
    article.refresh_from_db()
    assert article.status == Status.REVIEW and article.body == typed
    assert Revision.objects.filter(article=article).first().content["body"] == typed

    page.click("#workflow button[value=withdraw]")  # item 6: back to draft, editable again
    expect(page.locator("#workflow-title")).to_contain_text("draft")
    expect(page.locator("#id_body")).to_have_value(typed)


def open_twice(live_server, new_context, article):
    make_editor()
    make_editor("second")
    url = f"{live_server.url}/admin/articles/article/{article.pk}/change/"
    first = login(new_context(), live_server, "editor", PASSWORD)
    second = login(new_context(), live_server, "second", PASSWORD)
    first.goto(url)
    second.goto(url)
    return first, second


def test_two_editors_change_different_fields_and_both_survive(live_server, new_context):
    article = ArticleFactory(title="Mixture of experts", dek="Old dek.", body="Old body.")
    first, second = open_twice(live_server, new_context, article)

    first.fill("#id_dek", "A router sends each token to two experts.")
    first.click("input[name=_save]")
    expect(first.locator(".messagelist")).to_contain_text("was changed successfully")

    second.fill("#id_body", "Only a few experts run for each token, so inference is cheap.")
    second.click("input[name=_save]")
    expect(second.locator(".messagelist")).to_contain_text("their changes to Dek are kept")
    article.refresh_from_db()
    assert article.dek == "A router sends each token to two experts."
    assert article.body == "Only a few experts run for each token, so inference is cheap."


def test_same_field_conflict_shows_both_texts_and_keeps_mine(live_server, new_context, screenshot):
    article = ArticleFactory(title="Mixture of experts", body="Experts share the work.")
    first, second = open_twice(live_server, new_context, article)

    theirs = "Experts share the work; a router picks two per token."
    first.fill("#id_body", theirs)
    first.click("input[name=_save]")
    expect(first.locator(".messagelist")).to_contain_text("was changed successfully")

    mine = "Each token visits only a few experts."
    second.fill("#id_body", mine)
    second.fill("#id_dek", "My dek, which nobody else touched.")
    second.click("input[name=_save]")
    conflict = second.locator("#conflict-body")
    expect(conflict.locator(".conflict__theirs")).to_have_text(theirs)
    expect(conflict.locator(".conflict__mine")).to_have_text(mine)
    expect(conflict.locator(".conflict__diff ins")).not_to_have_count(0)
    expect(second.locator("#id_body")).to_have_value(mine)
    screenshot(second, "14-conflict-both-texts")
    article.refresh_from_db()
    assert article.body == theirs and article.dek != "My dek, which nobody else touched."

    conflict.locator("input[value=mine]").check()
    second.click("input[name=_save]")
    expect(second.locator(".messagelist")).to_contain_text("was changed successfully")
    article.refresh_from_db()
    assert article.body == mine and article.dek == "My dek, which nobody else touched."

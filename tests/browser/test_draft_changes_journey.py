"""Draft changes of a live article in a real browser (issue 14, item 4)."""

import pytest
from playwright.sync_api import expect

from articles.models import Article, ArticleDraft
from tests.browser.pages import login
from tests.factories import ArticleFactory
from tests.users import PASSWORD, make_editor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.usefixtures("page_cache")
def test_editor_saves_draft_changes_previews_and_publishes(live_server, new_context, screenshot):
    make_editor()
    article = ArticleFactory(title="Live title", body="## Intro\n\nThe live words.\n")
    reader = new_context().new_page()
    public = f"{live_server.url}{article.get_absolute_url()}"
    reader.goto(public)
    expect(reader.locator(".prose")).to_contain_text("The live words.")

    page = login(new_context(), live_server, "editor", PASSWORD)
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    page.fill("#id_title", "Draft title")
    page.fill("#id_body", "## Intro\n\nThe drafted words.\n")
    page.click("button[name=_save_draft]")
    expect(page.locator(".messagelist")).to_contain_text("Saved as draft changes")
    expect(page.locator("#draft-changes")).to_contain_text("editing draft changes of a live")
    expect(page.locator("#id_body")).to_have_value("## Intro\n\nThe drafted words.")
    screenshot(page, "draft-changes-form")
    assert Article.objects.get(pk=article.pk).title == "Live title"

    reader.reload()  # the cached page, as before: a draft save invalidates nothing
    expect(reader.locator(".prose")).to_contain_text("The live words.")
    expect(reader.locator("h1")).to_contain_text("Live title")

    with page.expect_popup() as popup:
        page.click("button[name=_preview]")
    expect(popup.value.locator(".prose")).to_contain_text("The drafted words.")
    popup.value.close()
    share = page.locator("a.share-preview").get_attribute("href")
    stranger = new_context().new_page()
    stranger.goto(live_server.url + share)
    expect(stranger.locator(".prose")).to_contain_text("The drafted words.")

    page.goto(f"{live_server.url}/admin/articles/article/")
    expect(page.locator("#result_list")).to_contain_text("Live + draft changes")
    page.click("#result_list a:has-text('Live title')")
    expect(page.locator("#id_title")).to_have_value("Draft title")
    page.click("#workflow button[value=publish_now]")
    expect(page.locator(".messagelist")).to_contain_text("published")
    screenshot(page, "draft-changes-published")
    assert not ArticleDraft.objects.exists()

    reader.reload()
    expect(reader.locator("h1")).to_contain_text("Draft title")
    expect(reader.locator(".prose")).to_contain_text("The drafted words.")

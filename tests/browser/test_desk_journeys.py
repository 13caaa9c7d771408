"""The editor's desk in a real browser (issue 16): inbox, send back, the author's notice and
comment, the email; and a mail server that is down does not stop the send back."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from articles.backoffice import workflow
from articles.models import Article, Notification
from tests.browser.pages import login
from tests.factories import ArticleFactory
from tests.users import PASSWORD, make_author, make_editor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
COMMENT = "Name the model and link its card, please."


class DownMailServer:
    """A mail backend whose server refuses every connection."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def submitted(title):
    author = make_author()
    author.email = "author@example.com"
    author.save()
    article = ArticleFactory(
        title=title, status=Article.Status.DRAFT, published_at=None, author=author.author_profile
    )
    workflow.article_submit(article, author)
    return article


def send_back_from_the_inbox(page, live_server, title):
    page.goto(f"{live_server.url}/admin/")
    row = page.locator("#inbox-review tr", has_text=title)
    expect(row).to_contain_text("submitted by author")
    expect(page.locator("#desk-counts [data-count=review]")).to_have_text("1")
    row.get_by_role("link", name="Review", exact=True).click()
    page.wait_for_selector("#workflow")
    expect(page.locator("#workflow textarea[name=send_back_comment]")).to_have_value("")
    page.fill("#workflow textarea[name=send_back_comment]", COMMENT)
    page.click("#workflow button[value=send_back]")
    expect(page.locator(".messagelist")).to_contain_text("sent back")


def test_editor_sends_back_from_the_inbox_and_the_author_is_told(
    live_server, new_context, screenshot
):
    make_editor()
    article = submitted("Small models on phones")
    mail.outbox.clear()  # the editors' "submitted" mail (they have no address: none)
    editor_page = login(new_context(), live_server, "editor", PASSWORD)
    send_back_from_the_inbox(editor_page, live_server, "Small models on phones")

    author_page = login(new_context(), live_server, "author", PASSWORD)
    notices = author_page.locator("#desk-notices")
    expect(notices).to_contain_text("“Small models on phones” was sent back to you")
    expect(notices).to_contain_text(COMMENT)
    sent_back = author_page.locator("#inbox-sent-back")
    expect(sent_back).to_contain_text("Small models on phones")
    expect(sent_back.locator(".inbox__comment")).to_have_text(COMMENT)
    expect(author_page.locator("#desk-counts [data-count=sent-back]")).to_have_text("1")
    screenshot(author_page, "16-author-inbox-sent-back")

    author_page.reload()  # a notice is shown once
    expect(author_page.locator("#desk-notices")).to_have_count(0)
    expect(author_page.locator("#inbox-sent-back")).to_contain_text(COMMENT)

    [email] = mail.outbox
    assert email.to == ["author@example.com"]
    assert COMMENT in email.body
    assert f"/admin/articles/article/{article.pk}/change/" in email.body


def test_a_mail_server_that_is_down_does_not_stop_the_send_back(live_server, new_context, settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.browser.test_desk_journeys.DownMailServer"}}
    make_editor()
    article = submitted("Quantisation explained")
    page = login(new_context(), live_server, "editor", PASSWORD)
    send_back_from_the_inbox(page, live_server, "Quantisation explained")
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT and article.review_comment == COMMENT
    notice = Notification.objects.get(recipient__username="author")
    assert notice.emailed_at is None
    author_page = login(new_context(), live_server, "author", PASSWORD)
    expect(author_page.locator("#desk-notices")).to_contain_text(COMMENT)


@pytest.mark.parametrize("username", ["editor", "author"])
def test_the_inbox_has_no_serious_axe_violations(live_server, browser, username):
    from importlib.resources import files

    from tests.browser.test_accessibility import AXE_OPTIONS, FAIL_ON

    editor = make_editor()
    waiting = submitted("Awaiting an editor")
    back = ArticleFactory(
        title="Came back", status=Article.Status.REVIEW, published_at=None, author=waiting.author
    )
    workflow.article_send_back(back, editor, COMMENT)  # a notice and a comment for the author
    context = browser.new_context(bypass_csp=True)  # CSP would refuse the injected axe script
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_selector("#inbox")
        page.evaluate(files("axe_playwright_python").joinpath("axe.min.js").read_text("utf-8"))
        result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
        serious = [
            f"[{v['impact']}] {v['id']}: {[n['target'] for n in v['nodes'][:4]]}"
            for v in result["violations"]
            if v["impact"] in FAIL_ON
        ]
        assert serious == []
    finally:
        context.close()

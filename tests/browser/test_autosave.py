"""Nothing an editor types is lost (issue 14, items 3 and 5), in a real Chromium.

Autosave, recovery after closing the tab, the leave-page warning, and presence. Intervals are
shortened through settings (the live server runs in this process); every wait is on a
selector or an event, never a fixed sleep.
"""

import time
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from articles.models import Article, Autosave, Presence
from tests.browser.pages import choose_autocomplete, login
from tests.factories import ArticleFactory, CategoryFactory
from tests.users import PASSWORD, make_editor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TYPED = "## Half-written\n\nA paragraph nobody saved.\n"


@pytest.fixture(autouse=True)
def _quick(settings):
    settings.ARTICLE_AUTOSAVE_DELAY = 0.3
    settings.ARTICLE_PRESENCE_INTERVAL = 0.5
    yield
    # The contexts are closed by now (new_context); their tabs' leave beacons may still be on
    # their way. Let the server answer them before the database is emptied under it.
    deadline = time.monotonic() + 5
    while Presence.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.05)


def csp_errors(page):
    """Collect the page's Content-Security-Policy complaints as they happen."""
    found = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return found


def change_url(live_server, article):
    return f"{live_server.url}/admin/articles/article/{article.pk}/change/"


def test_typed_text_survives_closing_the_tab(live_server, new_context):
    make_editor()
    article = ArticleFactory(title="Sizes at a glance", body="Saved body.\n", tags=["llm"])
    context = new_context()
    page = login(context, live_server, "editor", PASSWORD)
    errors = csp_errors(page)
    page.goto(change_url(live_server, article))
    page.fill("#id_body", TYPED)
    page.fill("#id_tags", "llm, mixture of experts")
    expect(page.locator("#article-autosave-status")).to_contain_text("Autosaved at")
    page.close()  # no save, no warning: the tab is simply gone

    page = context.new_page()
    page.goto(change_url(live_server, article))
    recovery = page.locator("#article-recovery")
    expect(recovery).to_be_visible()
    expect(recovery).to_contain_text("Unsaved changes from")
    expect(page.locator("#id_body")).to_have_value("Saved body.\n")
    page.click("#article-recovery-restore")
    expect(recovery).to_be_hidden()
    expect(page.locator("#id_body")).to_have_value(TYPED)
    expect(page.locator("#id_tags")).to_have_value("llm, mixture of experts")

    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    article.refresh_from_db()
    assert article.body.strip() == TYPED.strip()
    assert sorted(article.tags.names()) == ["llm", "mixture of experts"]
    assert not Autosave.objects.exists()  # a successful save deletes it
    expect(page.locator("#article-recovery")).to_be_hidden()
    assert errors == []


def test_discard_forgets_the_autosave(live_server, new_context):
    editor = make_editor()
    article = ArticleFactory(body="Saved body.\n")
    Autosave.objects.create(user=editor, article=article, fields={"body": "Unwanted.\n"})
    page = login(new_context(), live_server, "editor", PASSWORD)
    page.goto(change_url(live_server, article))
    page.click("#article-recovery-discard")
    expect(page.locator("#article-autosave-status")).to_have_text("Discarded the unsaved changes.")
    expect(page.locator("#id_body")).to_have_value("Saved body.\n")
    assert not Autosave.objects.exists()


def test_a_new_article_is_recovered_in_a_new_tab(live_server, new_context):
    make_editor()
    CategoryFactory(name="AI", slug="ai")
    context = new_context()
    page = login(context, live_server, "editor", PASSWORD)
    page.goto(f"{live_server.url}/admin/articles/article/add/")
    page.fill("#id_title", "An article never saved")
    page.fill("#id_dek", "Typed, then the tab was closed.")
    page.fill("#id_body", TYPED)
    expect(page.locator("#article-autosave-status")).to_contain_text("Autosaved at")
    page.close()

    page = context.new_page()  # a new tab: its own sessionStorage, so a new draft id
    page.goto(f"{live_server.url}/admin/articles/article/add/")
    page.click("#article-recovery-restore")
    expect(page.locator("#id_title")).to_have_value("An article never saved")
    expect(page.locator("#id_slug")).to_have_value("an-article-never-saved")
    expect(page.locator("#id_dek")).to_have_value("Typed, then the tab was closed.")
    expect(page.locator("#id_body")).to_have_value(TYPED)
    choose_autocomplete(page, "category", "AI")
    choose_autocomplete(page, "author", "Editor")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    assert Article.objects.get().body.strip() == TYPED.strip()
    assert not Autosave.objects.exists()


def _close_and_collect_dialogs(page):
    """Close the tab as a person would, with its beforeunload handlers; the dialogs shown."""
    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.type)
        dialog.accept()

    page.on("dialog", answer)
    with page.expect_event("close"):
        page.close(run_before_unload=True)
    return dialogs


def test_leaving_warns_only_while_the_form_differs_from_the_saved_article(live_server, new_context):
    make_editor()
    article = ArticleFactory(title="Sizes at a glance")
    context = new_context()
    page = login(context, live_server, "editor", PASSWORD)

    page.goto(change_url(live_server, article))
    page.click("#id_title")  # a click, as a person gives the page (Chromium asks for one)
    assert _close_and_collect_dialogs(page) == []  # nothing typed

    page = context.new_page()
    page.goto(change_url(live_server, article))
    page.click("#id_title")
    page.keyboard.press("End")
    page.keyboard.type(" and costs")
    # Autosaved before closing, so that the next tab surely finds it (else it could open
    # before the closing tab's last autosave arrives).
    expect(page.locator("#article-autosave-status")).to_contain_text("Autosaved at")
    assert _close_and_collect_dialogs(page) == ["beforeunload"]

    page = context.new_page()
    page.goto(change_url(live_server, article))
    page.click("#article-recovery-discard")
    page.click("#id_title")
    page.keyboard.press("End")
    page.keyboard.type(", revised")
    page.click("input[name=_continue]")  # a submit is not leaving
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    page.click("#id_dek")
    assert _close_and_collect_dialogs(page) == []  # saved: nothing differs any more
    article.refresh_from_db()
    assert article.title == "Sizes at a glance, revised"


def test_presence_appears_for_a_second_editor_and_goes_when_the_first_closes(
    live_server, browser, new_context
):
    maya = make_editor("maya")
    maya.first_name, maya.last_name = "Maya", "Okafor"
    maya.save()
    make_editor("sam")
    article = ArticleFactory()
    first = login(new_context(), live_server, "maya", PASSWORD)
    first.goto(change_url(live_server, article))
    expect(first.locator("#article-presence")).to_be_hidden()

    # The second editor's browser runs in Tokyo time: the "since" is shown in it.
    tokyo = browser.new_context(timezone_id="Asia/Tokyo")
    tokyo.set_default_timeout(10_000)
    try:
        second = login(tokyo, live_server, "sam", PASSWORD)
        second.goto(change_url(live_server, article))
        since = Presence.objects.get(user=maya).since.astimezone(ZoneInfo("Asia/Tokyo"))
        presence = second.locator("#article-presence")
        expect(presence).to_have_text(f"Maya Okafor is editing (since {since:%H:%M})")
        expect(first.locator("#article-presence")).to_contain_text("sam is editing")

        first.close()  # its pagehide sends the leave beacon: gone long before the expiry
        expect(presence).to_be_hidden()
        assert list(Presence.objects.values_list("user__username", flat=True)) == ["sam"]
    finally:
        tokyo.close()


def test_a_refused_save_is_still_unsaved_autosaved_and_warned_about(live_server, new_context):
    editor = make_editor()
    article = ArticleFactory(body="Saved body.\n")
    page = login(new_context(), live_server, "editor", PASSWORD)
    page.goto(change_url(live_server, article))
    page.fill("#id_dek", "")  # required: the save will be refused
    page.fill("#id_body", TYPED)
    page.click("input[name=_continue]")  # before any autosave could run
    expect(page.locator(".errornote")).to_be_visible()
    expect(page.locator("#article-recovery")).to_be_hidden()  # the form holds the text itself
    expect(page.locator("#article-autosave-status")).to_contain_text("Autosaved at")
    assert Autosave.objects.get(user=editor).fields["body"].strip() == TYPED.strip()
    page.click("#id_title")
    assert _close_and_collect_dialogs(page) == ["beforeunload"]

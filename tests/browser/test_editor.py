"""The article editor in real Chromium (issue 16): live preview, image drop, references,
toolbar, slugs. Every step waits on an event or a selector, never on a fixed delay."""

import base64

import pytest
from playwright.sync_api import expect

from articles.models import Image
from tests.articles.helpers import image_bytes
from tests.browser.pages import login
from tests.factories import AIModelFactory, CategoryFactory
from tests.users import PASSWORD, make_author

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PREVIEW = "#live-preview article.prose"  # Playwright's CSS selectors pierce the shadow root


def open_new_article(new_context, live_server):
    make_author()
    CategoryFactory(name="AI", slug="ai")
    page = login(new_context(), live_server, "author", PASSWORD)
    page.goto(f"{live_server.url}/admin/articles/article/add/")
    expect(page.locator("#live-preview")).to_be_visible()
    return page


def test_author_drops_an_image_and_sees_it_in_the_live_preview(live_server, new_context):
    page = open_new_article(new_context, live_server)
    page.fill("#id_body", "## Sizes\n\nA chart follows.\n")
    expect(page.locator(f"{PREVIEW} h2")).to_contain_text("Sizes")
    png = base64.b64encode(image_bytes("PNG", (800, 400))).decode()
    transfer = page.evaluate_handle(
        """data => {
            const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], "chart.png", {type: "image/png"}));
            return transfer;
        }""",
        png,
    )
    page.dispatch_event("#id_body", "drop", {"dataTransfer": transfer})
    dialog = page.locator("#image-dialog")
    expect(dialog).to_be_visible()
    expect(page.locator("#image-dialog-alt")).to_be_focused()
    dialog.locator("button[type=submit]").click()  # no alt text: refused by the browser
    expect(dialog).to_be_visible()
    assert not Image.objects.exists()
    page.fill("#image-dialog-alt", "Bar chart of model sizes")
    dialog.locator("button[type=submit]").click()
    expect(dialog).to_be_hidden()
    image = Image.objects.get()
    assert image.alt == "Bar chart of model sizes" and image.renditions
    expect(page.locator("#id_body")).to_have_value(
        f"## Sizes\n\nA chart follows.\n![Bar chart of model sizes](image:{image.pk})\n"
    )
    expect(page.locator(f"{PREVIEW} img[alt='Bar chart of model sizes'][srcset]")).to_have_count(1)


def test_typing_a_model_reference_offers_matches_and_inserts_one(live_server, new_context):
    AIModelFactory(name="Mixtral 8x7B", slug="mixtral-8x7b")
    AIModelFactory(name="Llama 3.1 8B", slug="llama-3-1-8b")
    page = open_new_article(new_context, live_server)
    body = page.locator("#id_body")
    body.click()
    body.press_sequentially("We compare [[model:mix")
    option = page.locator("#reference-suggestions [role=option]")
    expect(option).to_have_count(1)
    expect(option).to_contain_text("Mixtral 8x7B")
    body.press("Enter")
    expect(body).to_have_value("We compare [[model:mixtral-8x7b]]")
    expect(page.locator("#reference-suggestions")).to_be_hidden()
    expect(page.locator(f"{PREVIEW} a.model-ref")).to_contain_text("Mixtral 8x7B")


def test_toolbar_bold_wraps_the_selection_and_keys_move_along_it(live_server, new_context):
    page = open_new_article(new_context, live_server)
    body = page.locator("#id_body")
    body.fill("Open weights matter.")
    body.evaluate("area => area.setSelectionRange(0, 12)")
    page.click(".editor-toolbar button[data-action=bold]")
    expect(body).to_have_value("**Open weights** matter.")
    expect(page.locator(f"{PREVIEW} strong")).to_have_text("Open weights")
    # Keyboard: Ctrl+I in the body, arrows within the toolbar (one tab stop).
    body.evaluate("area => area.setSelectionRange(17, 23)")
    body.press("Control+i")
    expect(body).to_have_value("**Open weights** _matter_.")
    page.focus(".editor-toolbar button[data-action=heading]")
    page.keyboard.press("ArrowRight")
    expect(page.locator(".editor-toolbar button[data-action=bold]")).to_be_focused()
    # The panel can be closed and opened again.
    page.click(".editor-toggle")
    expect(page.locator("#live-preview")).to_be_hidden()
    page.click(".editor-toggle")
    expect(page.locator("#live-preview")).to_be_visible()


def test_slug_from_a_title_keeps_the_version(live_server, new_context):
    page = open_new_article(new_context, live_server)
    page.fill("#id_title", "Llama 3.1 405B")
    page.press("#id_title", "Tab")
    expect(page.locator("#id_slug")).to_have_value("llama-3-1-405b")

"""The editorial workflow in a real browser (issue 5): three journeys, one screenshot each."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import Article, Image, Revision
from tests.articles.helpers import image_bytes
from tests.browser.pages import choose_autocomplete, login
from tests.factories import AIModelFactory, ArticleFactory, CategoryFactory
from tests.users import PASSWORD, make_author, make_editor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLE = "| Model | Parameters |\n|---|---|\n| Mistral 7B | 7.3B |\n| Llama 3.1 | 405B |\n"


def test_editor_writes_previews_schedules_and_publishes(live_server, new_context, screenshot):
    make_editor()
    CategoryFactory(name="AI", slug="ai")
    page = login(new_context(), live_server, "editor", PASSWORD)

    # An image for the library.
    page.goto(f"{live_server.url}/admin/articles/image/add/")
    page.set_input_files(
        "#id_file",
        files=[
            {
                "name": "chart.png",
                "mimeType": "image/png",
                "buffer": image_bytes("PNG", (1000, 500)),
            }
        ],
    )
    page.fill("#id_alt", "Bar chart of model sizes")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    image = Image.objects.get()

    # The article, with a table and the image.
    page.goto(f"{live_server.url}/admin/articles/article/add/")
    page.fill("#id_title", "Model sizes at a glance")
    page.press("#id_title", "Tab")  # the slug follows the title, as an editor sees it do
    expect(page.locator("#id_slug")).to_have_value("model-sizes-at-a-glance")
    page.fill("#id_dek", "How big the popular models are.")
    page.fill("#id_body", f"## Sizes\n\n{TABLE}\n![Model sizes](image:{image.pk})\n")
    choose_autocomplete(page, "category", "AI")
    choose_autocomplete(page, "author", "Editor")

    with page.expect_popup() as popup:
        page.click("button[name=_preview]")
    preview = popup.value
    expect(preview.locator(".preview-banner")).to_contain_text("Preview")
    expect(preview.locator(".prose table tbody th").first).to_have_text("Mistral 7B")
    expect(preview.locator(".prose img[srcset][sizes][loading=lazy]")).to_have_count(1)
    preview.close()
    assert not Article.objects.exists()  # previewing saved nothing

    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    when = timezone.now() + timedelta(days=1)
    page.fill("#workflow input[type=datetime-local]", when.strftime("%Y-%m-%dT%H:%M"))
    page.click("#workflow button[value=schedule]")
    expect(page.locator("#workflow-title")).to_contain_text("scheduled for")
    page.goto(f"{live_server.url}/admin/articles/article/")
    expect(page.locator("#result_list")).to_contain_text("Scheduled")

    reader = new_context().new_page()
    reader.goto(live_server.url + "/")
    expect(reader.locator("main")).not_to_contain_text("Model sizes at a glance")

    page.click("#result_list a:has-text('Model sizes at a glance')")
    page.click("#workflow button[value=publish_now]")
    expect(page.locator(".messagelist")).to_contain_text("saved and published")

    reader.goto(live_server.url + "/")
    reader.click("a:has-text('Model sizes at a glance')")
    expect(reader.locator(".prose table")).to_contain_text("Llama 3.1")
    screenshot(reader, "1-editor-publishes")


def test_author_drafts_submits_tags_and_cannot_publish(live_server, new_context, screenshot):
    author = make_author()
    CategoryFactory(name="AI", slug="ai")
    model = AIModelFactory(name="Phi-3 Mini", slug="phi-3-mini")
    context = new_context()
    page = login(context, live_server, "author", PASSWORD)

    page.goto(f"{live_server.url}/admin/articles/article/add/")
    expect(page.locator("#id_status")).to_have_count(0)
    expect(page.locator("#id_author")).to_have_count(0)
    page.fill("#id_title", "Small models on the edge")
    page.press("#id_title", "Tab")
    page.fill("#id_dek", "Why small language models matter on phones.")
    page.fill("#id_body", "## Why\n\nBecause latency and privacy.\n")
    choose_autocomplete(page, "category", "AI")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    article = Article.objects.get(slug="small-models-on-the-edge")
    assert article.author.user == author and article.status == Article.Status.DRAFT

    for forbidden in ("publish_now", "schedule", "unpublish", "send_back"):
        expect(page.locator(f"button[value={forbidden}]")).to_have_count(0)
    page.click("#workflow button[value=submit_for_review]")
    expect(page.locator("#workflow-title")).to_contain_text("in review")
    expect(page.locator("input[name=_save]")).to_have_count(0)  # read-only from now on

    page.goto(f"{live_server.url}/admin/models_catalog/aimodel/{model.pk}/change/")
    page.fill("#id_tags", "on-device")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert list(model.tags.names()) == ["on-device"]

    page.goto(f"{live_server.url}/admin/articles/article/")
    expect(page.locator("select[name=action] option[value=publish_now]")).to_have_count(0)
    screenshot(page, "2-author-cannot-publish")

    token = next(c["value"] for c in context.cookies() if c["name"] == "csrftoken")
    forged = context.request.post(
        f"{live_server.url}/admin/articles/article/",
        form={"action": "publish_now", "_selected_action": str(article.pk), "index": "0"},
        headers={"X-CSRFToken": token, "Referer": f"{live_server.url}/admin/"},
    )
    assert forged.status == 403
    forged = context.request.post(
        f"{live_server.url}/admin/articles/article/{article.pk}/change/",
        form={"CHANGE_FORM-action": "publish_now", "_selected_action": str(article.pk)},
        headers={"X-CSRFToken": token, "Referer": f"{live_server.url}/admin/"},
    )
    assert forged.status == 403
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW


def test_two_editors_conflict_and_nothing_is_lost(live_server, new_context, screenshot):
    make_editor()
    make_editor("second")
    article = ArticleFactory(title="Mixture of experts", body="Experts share the work.")
    url = f"{live_server.url}/admin/articles/article/{article.pk}/change/"
    first = login(new_context(), live_server, "editor", PASSWORD)
    second = login(new_context(), live_server, "second", PASSWORD)
    first.goto(url)
    second.goto(url)

    first.fill("#id_body", "Experts share the work; a router picks two per token.")
    first.click("input[name=_save]")
    expect(first.locator(".messagelist")).to_contain_text("was changed successfully")

    mine = "Each token visits only a few experts, so inference is cheap."
    second.fill("#id_body", mine)
    second.click("input[name=_save]")
    expect(second.locator("#edit-conflict")).to_contain_text("Edit conflict")
    theirs = second.locator("#conflict-body .conflict__theirs")
    expect(theirs).to_contain_text("a router picks two per token")
    expect(second.locator("#conflict-body .conflict__diff del")).not_to_have_count(0)
    expect(second.locator("#id_body")).to_have_value(mine)
    screenshot(second, "3-edit-conflict")
    assert Article.objects.get(pk=article.pk).body.endswith("two per token.")

    second.check("#conflict-body input[value=mine]")  # the choice, then the save
    second.click("input[name=_save]")
    expect(second.locator(".messagelist")).to_contain_text("was changed successfully")
    assert Article.objects.get(pk=article.pk).body == mine
    bodies = set(Revision.objects.filter(article=article).values_list("content__body", flat=True))
    assert {mine, "Experts share the work; a router picks two per token."} <= bodies

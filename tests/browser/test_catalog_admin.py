"""Catalog import from the admin in real Chromium (issue 16, item 6): the text shown in the
dry run travels back through the browser and is applied as it was."""

import json

import pytest
from playwright.sync_api import expect

from models_catalog.models import AIModel
from tests.browser.pages import login
from tests.factories import AIModelFactory
from tests.users import PASSWORD, make_editor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_editor_imports_a_csv_with_a_dry_run_then_applies_it(live_server, new_context):
    make_editor()
    AIModelFactory(name="Mistral 7B", slug="mistral-7b", parameters=7 * 10**9)
    page = login(new_context(), live_server, "editor", PASSWORD)
    page.goto(f"{live_server.url}/admin/models_catalog/aimodel/")
    page.click("text=Import from a file")
    csv = 'name,parameters,summary\nMistral 7B,7.3B,"Two\nlines"\nMixtral 8x7B,46.7B,\n'
    files = {"name": "models.csv", "mimeType": "text/csv", "buffer": csv.encode()}
    page.set_input_files("#id_file", files=[files])
    page.click("input[value='Dry run']")
    expect(page.locator("#dry-run-title")).to_contain_text("1 created, 1 updated, 0 unchanged")
    expect(page.locator("#import-changes")).to_contain_text("7300000000")
    assert AIModel.objects.count() == 1
    page.click("input[name=apply]")
    expect(page.locator(".messagelist")).to_contain_text("1 created, 1 updated")
    mistral = AIModel.objects.get(slug="mistral-7b")
    assert (mistral.parameters, mistral.summary) == (7_300_000_000, "Two\nlines")
    assert AIModel.objects.filter(slug="mixtral-8x7b").exists()

    page.click("text=Import from a file")
    bad = json.dumps([{"name": "Broken", "weights": "sideways"}]).encode()
    page.set_input_files(
        "#id_file", files=[{"name": "m.json", "mimeType": "application/json", "buffer": bad}]
    )
    page.click("input[value='Dry run']")
    expect(page.locator("#import-errors")).to_contain_text("item 1, weights")
    assert not AIModel.objects.filter(name="Broken").exists()

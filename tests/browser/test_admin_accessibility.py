"""axe-core on the back office (issue 16, item 8): the dashboard, the article change form
with its live preview open, and the catalog change form. Same axe build, rules and bar as
the public pages (tests/browser/test_accessibility.py): no serious or critical violation."""

import pytest
from playwright.sync_api import expect

from tests.browser.pages import login
from tests.browser.test_accessibility import FAIL_ON, axe_result, axe_source, describe
from tests.factories import AIModelFactory, ArticleFactory
from tests.users import PASSWORD, make_editor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["axe_source"]  # the fixture, shared


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_back_office_pages_have_no_serious_axe_violations(browser, live_server, axe_source, scheme):
    editor = make_editor()
    model = AIModelFactory(name="Mixtral 8x7B", slug="mixtral-8x7b", grades={"license": "open"})
    article = ArticleFactory(
        author=editor.author_profile,
        body="## Sizes\n\n| Model | Params |\n|---|---|\n| Mixtral | 47B |\n\n"
        "See [[model:mixtral-8x7b]].[^1]\n\n[^1]: A note.\n",
    )
    context = browser.new_context(color_scheme=scheme, bypass_csp=True)  # to inject axe
    context.set_default_timeout(10_000)
    page = login(context, live_server, "editor", PASSWORD)
    failures, notes = [], []
    pages = {
        "dashboard": "/admin/",
        "article change form": f"/admin/articles/article/{article.pk}/change/",
        "catalog change form": f"/admin/models_catalog/aimodel/{model.pk}/change/",
    }
    try:
        for name, url in pages.items():
            assert page.goto(live_server.url + url).status == 200, url
            if name == "article change form":
                expect(page.locator("#live-preview article.prose a.model-ref")).to_have_count(1)
            for violation in axe_result(page, axe_source)["violations"]:
                target = failures if violation["impact"] in FAIL_ON else notes
                target.append(describe(url, violation))
    finally:
        context.close()
    if notes:
        print(f"\n{scheme}: moderate or minor axe findings:\n" + "\n".join(notes))
    assert not failures, f"{scheme} mode:\n" + "\n".join(failures)

"""The Content-Security-Policy in a real Chromium: the site and the admin work, nothing blocked."""

import pytest

from tests.factories import AIModelFactory, ArticleFactory
from tests.security.browser import in_chromium, violations
from tests.users import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SUGGESTIONS_SHOWN = """() => {
  const field = document.querySelector("#id_tags");
  const list = document.getElementById(field.getAttribute("list"));
  return list.options.length > 0;
}"""


@pytest.fixture
def content():
    model = AIModelFactory(slug="llama", name="Llama", tags=["llm"], grades={"license": "open"})
    AIModelFactory(slug="mixtral", name="Mixtral", tags=["llm"])
    article = ArticleFactory(
        slug="open-models",
        title="Open models",
        body="## One\n\n## Two\n\n## Three\n\nAbout [[model:llama]].\n",
        tags=["llm"],
    )
    ArticleFactory(slug="a-draft", title="A draft", status="draft", published_at=None)
    return article, model


def test_public_pages_raise_no_csp_violation(live_server, content):
    pages = [
        "/",
        "/articles/open-models/",
        "/models/",
        "/models/llama/",
        "/models/compare/?m=llama&m=mixtral",
        "/tags/",
        "/tags/llm/",
        "/search/?q=open",
    ]

    def drive(page):
        for url in pages:
            response = page.goto(live_server.url + url)
            assert response.status == 200, url
            page.wait_for_load_state("load")
            assert violations(page) == [], url
            stylesheets = page.evaluate("document.styleSheets.length")
            assert stylesheets >= 1, url  # the site's CSS was allowed to load

    in_chromium(drive)


def test_admin_works_under_the_policy(live_server, content):
    make_user("root", superuser=True)
    seen = {}

    def drive(page):
        page.goto(live_server.url + "/admin/")
        page.fill("#id_username", "root")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url("**/admin/")
        seen["index"] = violations(page)

        page.goto(live_server.url + "/admin/articles/article/")
        seen["changelist"] = violations(page)
        # Actions: the select-all checkbox is wired up by admin JavaScript.
        page.check("#action-toggle")
        assert page.locator("input.action-select:checked").count() == 2
        page.uncheck("#action-toggle")
        page.locator("input.action-select").first.check()
        page.select_option("select[name=action]", "submit_for_review")
        page.click("button[name=index]")
        page.wait_for_load_state("load")
        seen["action"] = violations(page)

        page.goto(live_server.url + "/admin/articles/category/add/")
        # The slug is filled in from the name by the admin's prepopulate script.
        page.locator("#id_name").press_sequentially("Hello CSP world")
        assert page.input_value("#id_slug") == "hello-csp-world"
        seen["category form"] = violations(page)

        page.goto(live_server.url + "/admin/articles/article/add/")
        # The tag field asks the server for suggestions and fills its <datalist>: wait for
        # the answer and for the options it adds, however long they take.
        with page.expect_response(lambda response: "/suggest/" in response.url):
            page.locator("#id_tags").press_sequentially("ll")
        page.wait_for_function(SUGGESTIONS_SHOWN)
        seen["add form"] = violations(page)

        page.goto(live_server.url + "/admin/models_catalog/aimodel/")
        page.click("text=Llama")
        page.wait_for_load_state("load")
        seen["model form"] = violations(page)

        page.goto(live_server.url + "/admin/articles/image/add/")
        seen["image form"] = violations(page)

    in_chromium(drive)
    assert seen == {key: [] for key in seen}


def test_json_ld_data_blocks_are_not_blocked_by_the_policy(settings):
    """Structured data (`<script type="application/ld+json">`) is not script: no violation.

    Public pages carry no nonce, so this is what lets them keep their JSON-LD.
    """
    from django.utils.csp import build_policy

    html = (
        "<!doctype html><title>t</title>"
        '<script type="application/ld+json">{"@type": "Article"}</script>'
        "<script>window.ran = true</script>"  # control: inline code must be blocked
    )
    headers = {
        "Content-Type": "text/html",
        "Content-Security-Policy": build_policy(settings.SECURE_CSP),
    }

    def drive(page):
        page.route("http://site.test/", lambda route: route.fulfill(body=html, headers=headers))
        page.goto("http://site.test/")
        assert page.evaluate("window.ran") is None
        return page.evaluate("window.__violations")

    assert in_chromium(drive) == ["script-src-elem inline "]

"""The whole payload corpus on real pages in Chromium: no dialog opens, nothing leaves the site."""

from urllib.parse import urlsplit

import pytest
from taggit.models import Tag

from articles.models import Article, TagDescription
from config.lib.rendering import render_markdown
from tests.factories import AIModelFactory, ArticleFactory, AuthorFactory
from tests.security.browser import MARKER_ORIGIN, in_chromium, violations
from tests.security.payloads import load_payloads

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PAYLOADS = load_payloads()


@pytest.fixture
def hostile_pages():
    blob = "\n\n".join(PAYLOADS)
    author = AuthorFactory(slug="mallory", name="Mallory <img src=x onerror=alert(1)>", bio=blob)
    together = ArticleFactory(
        slug="together",
        title="<script>alert('title')</script>",
        dek='"><img src=x onerror=alert("dek")>',
        body=blob,
        author=author,
        tags=["xss"],
    )
    # Together, one unclosed tag swallows what follows it; this page shows every payload
    # as it renders on its own.
    one_by_one = ArticleFactory(slug="one-by-one", author=author)
    Article.objects.filter(pk=one_by_one.pk).update(
        body_html="\n".join(render_markdown(payload).html for payload in PAYLOADS)
    )
    TagDescription.objects.create(tag=Tag.objects.get(slug="xss"), description=blob)
    AIModelFactory(slug="evil", name="<svg onload=alert(1)>", summary=PAYLOADS[0], description=blob)
    return [
        together.get_absolute_url(),
        "/articles/one-by-one/",
        "/authors/mallory/",
        "/tags/xss/",
        "/models/evil/",
        "/models/",
        "/search/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    ]


def test_no_payload_runs_in_the_browser(live_server, hostile_pages):
    dialogs, foreign = [], []

    def drive(page):
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.on(
            "request",
            lambda request: (
                urlsplit(request.url).hostname not in ("localhost", "127.0.0.1")
                and request.resource_type != "image"  # the policy blocks those (see below)
                and not request.url.startswith(MARKER_ORIGIN)  # violations()
                and foreign.append(request.url)
            ),
        )
        for url in hostile_pages:
            response = page.goto(live_server.url + url)
            assert response.status == 200, url
            # Every image, frame and media request has settled (loaded, failed or refused),
            # however long it takes: an error or load handler would have had its chance.
            page.wait_for_load_state("networkidle")
            page.mouse.move(200, 300)
            page.mouse.click(200, 300)
            page.keyboard.press("Tab")
            # violations() flushes the browser's reports with a marker before reading them.
            # Images from other sites are blocked by the policy (img-src 'self'): expected.
            blocked = [v for v in violations(page) if "img-src" not in v]
            assert blocked == [], url
            found = page.eval_on_selector_all(
                "main :is([onerror], [onload], [onclick], [style], math, iframe, object, embed)",
                "elements => elements.map(e => e.outerHTML.slice(0, 80))",
            )
            assert found == [], url

    in_chromium(drive)
    assert dialogs == []
    assert foreign == []

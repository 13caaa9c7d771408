"""No public page is wider than a phone's screen (issue 17, item 1).

Each page type of tests/pages.py is loaded at 320, 360 and 390 px, light and dark, in one
browser context per scheme (the viewport is resized between loads, the page reused), and
document.documentElement.scrollWidth is compared with the viewport width.
"""

import pytest

from tests.pages import load_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (320, 360, 390)
# What pokes out past the right edge, to make a failure readable.
OVERFLOWING = """width => [...document.querySelectorAll('body *')]
  .filter(el => el.getBoundingClientRect().right > width + 0.5)
  .filter(el => !el.closest('.table-scroll, .visually-hidden'))
  .slice(0, 3).map(el => el.tagName.toLowerCase() + '.' + [...el.classList].join('.'))"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_public_page_is_wider_than_a_phone(browser, live_server, scheme):
    pages = load_pages()
    context = browser.new_context(color_scheme=scheme, viewport={"width": 390, "height": 800})
    page = context.new_page()
    failures = []
    try:
        for name, url in pages.items():
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 800})
                response = page.goto(live_server.url + url)
                assert response.status == 200, url
                scroll_width = page.evaluate("document.documentElement.scrollWidth")
                if scroll_width > width:
                    culprits = page.evaluate(OVERFLOWING, width)
                    failures.append(f"{name} at {width}px: {scroll_width}px wide ({culprits})")
    finally:
        context.close()
    assert not failures, f"{scheme} mode:\n" + "\n".join(failures)

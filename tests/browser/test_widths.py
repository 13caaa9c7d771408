"""No public page is wider than a phone's screen (issue 17, item 1).

Each page type of tests/pages.py is loaded at 320, 360 and 390 px (the viewport is resized
between loads, the page reused) and measured in light and dark mode (the emulated colour
scheme switched in place), document.documentElement.scrollWidth against the viewport width.
"""

import pytest

from tests.pages import BACKGROUNDS, load_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (320, 360, 390)
# What pokes out past the right edge, to make a failure readable.
OVERFLOWING = """width => [...document.querySelectorAll('body *')]
  .filter(el => el.getBoundingClientRect().right > width + 0.5)
  .filter(el => !el.closest('.table-scroll, .visually-hidden'))
  .slice(0, 3).map(el => el.tagName.toLowerCase() + '.' + [...el.classList].join('.'))"""


def test_no_public_page_is_wider_than_a_phone(browser, live_server):
    pages = load_pages()
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    failures = []
    try:
        for name, url in pages.items():
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 800})
                response = page.goto(live_server.url + url)
                assert response.status == 200, url
                for scheme in BACKGROUNDS:
                    page.emulate_media(color_scheme=scheme)
                    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
                    assert background == BACKGROUNDS[scheme], f"{name}: no {scheme} scheme"
                    scroll_width = page.evaluate("document.documentElement.scrollWidth")
                    if scroll_width > width:
                        culprits = page.evaluate(OVERFLOWING, width)
                        failures.append(
                            f"{name} at {width}px, {scheme}: {scroll_width}px wide ({culprits})"
                        )
    finally:
        context.close()
    assert not failures, "\n".join(failures)


def test_phone_layouts_keep_tables_filters_and_chart_usable(browser, live_server):
    """At 360 px: wide tables scroll in their box with the first column pinned and a hint,
    the catalog's filters are a closed "Filters" disclosure counting the active ones, and every
    chart mark takes taps in at least 24×24 CSS px (WCAG 2.5.8)."""
    pages = load_pages()
    context = browser.new_context(viewport={"width": 360, "height": 800})
    page = context.new_page()
    try:
        page.goto(live_server.url + pages["compare"])
        box = page.locator(".table-scroll.is-overflowing")
        assert box.get_attribute("tabindex") == "0"  # scrollable from the keyboard
        hint = box.evaluate("el => getComputedStyle(el, '::before').content")
        assert "Scroll sideways" in hint
        label = page.locator(".compare-table tbody th[scope=row]").first
        left = label.bounding_box()["x"]
        box.evaluate("el => { el.scrollLeft = 300; }")
        page.wait_for_function("document.querySelector('.table-scroll').scrollLeft > 0")
        assert label.bounding_box()["x"] == pytest.approx(left, abs=3)  # pinned, not 300 px off

        page.goto(live_server.url + pages["article"])
        assert page.locator(".prose .table-scroll.is-overflowing").count() >= 1

        page.goto(live_server.url + "/models/?kind=language")
        filters = page.locator("details.filters")
        assert filters.evaluate("el => !el.open")
        assert "1 active" in page.locator("details.filters > summary").inner_text()
        assert not page.locator(".facet__values a").first.is_visible()
        page.locator("details.filters > summary").click()
        assert page.locator(".facet__values a").first.is_visible()
        sizes = page.locator("a.chart__mark").evaluate_all(
            "marks => marks.map(m => { const r = m.getBoundingClientRect();"
            " return Math.min(r.width, r.height); })"
        )
        assert sizes and min(sizes) >= 24, sizes

        page.set_viewport_size({"width": 1280, "height": 800})
        assert page.locator(".facet__values a").first.is_visible()
        assert not page.locator("details.filters > summary").is_visible()
    finally:
        context.close()

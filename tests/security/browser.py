"""A Chromium for the security browser tests, and a record of what the page complained about."""

import os
from concurrent.futures import ThreadPoolExecutor

from tests.chromium import CHROMIUM, CHROMIUM_ARGS

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

# Runs before any page script; CSP does not apply to it.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sample}`);
});
"""


def in_chromium(drive):
    """Run `drive(page)` in a fresh Chromium and return what it returns.

    On a thread of its own: Playwright's sync API refuses to start where an event loop is
    already running, as it is in this thread while the browser tests' session-wide
    Playwright is alive.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_drive, drive).result()


def _drive(drive):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(15_000)
            page.add_init_script(RECORD_VIOLATIONS)
            page.console_errors = []
            page.on(
                "console",
                lambda message: (
                    message.type == "error" and page.console_errors.append(message.text)
                ),
            )
            return drive(page)
        finally:
            browser.close()


def violations(page):
    """CSP violations reported on the current document, plus CSP errors on the console."""
    found = page.evaluate("window.__violations || []")
    found += [text for text in page.console_errors if "Content Security Policy" in text]
    return found

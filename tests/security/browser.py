"""A Chromium for the security browser tests, and a record of what the page complained about."""

import os
import uuid
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


# A script the policy refuses, loaded after everything the test waited for: the browser
# reports violations in the order it meets them, so once this one has arrived (as an event and
# on the console) every earlier one has too. No fixed sleep: a slow page is waited for, and a
# violation queued before the marker can never be missed.
MARKER_ORIGIN = "https://csp-marker.invalid"
MARKER = """
(url) => new Promise((resolve) => {
  document.addEventListener("securitypolicyviolation", (event) => {
    if (event.blockedURI === url) resolve();
  });
  const script = document.createElement("script");
  script.src = url;
  document.head.append(script);
})
"""


def violations(page):
    """CSP violations reported on the current document, plus CSP errors on the console.

    Call it once the page has done what the test waits for (a load state, a response, a
    selector): it flushes the browser's queue of reports with a marker violation first.
    """
    marker = f"{MARKER_ORIGIN}/{uuid.uuid4().hex}.js"
    with page.expect_console_message(lambda message: marker in message.text):
        page.evaluate(MARKER, marker)
    found = page.evaluate("window.__violations || []")
    found += [text for text in page.console_errors if "Content Security Policy" in text]
    page.console_errors.clear()  # read once: the next page starts clean
    return [text for text in found if MARKER_ORIGIN not in text]

"""Playwright fixtures: one headless Debian Chromium per session, a fresh context per user.

Playwright's sync API runs an event loop in this thread, and Django refuses database access
from a thread with a running loop unless told otherwise; the tests only drive a browser.
"""

import os
import time
from pathlib import Path

import pytest

from tests.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.conftest import OneAppCallAtATime

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

OUTPUT = Path(__file__).resolve().parents[2] / "test-results" / "browser"


@pytest.fixture(scope="session")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (.ci/run installs the chromium package)")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser, live_server):
    """Open browser contexts (separate cookie jars) that are closed after the test.

    Set up after the live server and its database (so torn down before the database is
    flushed), and the teardown waits for requests the pages sent in the background
    (autosave, presence) to finish: one landing during the flush broke it on SQLite."""
    contexts = []

    def make():
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    # A request the page sent just before it closed may still wait to be accepted: drain,
    # give the server a moment to take what is queued, drain again.
    OneAppCallAtATime.drain()
    time.sleep(0.2)
    OneAppCallAtATime.drain()


@pytest.fixture
def screenshot():
    OUTPUT.mkdir(parents=True, exist_ok=True)

    def save(page, name):
        page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=True)

    return save

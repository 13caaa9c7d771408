import threading

import pytest
from django.conf import settings
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread


class OneAppCallAtATime:
    """The live server's WSGI application, entered by one request thread at a time."""

    running = []  # every instance: `drain()` waits for their requests in flight

    def __init__(self, application):
        self.application = application
        self.lock = threading.Lock()
        self.running.append(self)

    @classmethod
    def drain(cls):
        """Wait until no request is inside the application (one that started before the
        browser closed may still be writing: the test's database must not be flushed under
        it)."""
        for app in cls.running:
            with app.lock:
                pass

    def __call__(self, environ, start_response):
        with self.lock:
            return self.application(environ, start_response)


class SerialisedAppServer(ThreadedWSGIServer):
    """A thread per connection, as Django's live server has, around OneAppCallAtATime."""

    def set_app(self, application):
        super().set_app(OneAppCallAtATime(application))


@pytest.fixture(scope="session", autouse=True)
def one_app_call_at_a_time_on_sqlite():
    """On SQLite the live server hands the tests' one in-memory connection to every request
    thread; admin pages that fire requests in the background (autosave, presence, the live
    preview) then used it at the same moment ("Could not decode to UTF-8", "bad parameter or
    other API misuse"). There, the application is entered by one request at a time; the
    server keeps its threads, so a browser's open connections never block each other."""
    if "sqlite" in settings.DATABASES["default"]["ENGINE"]:
        LiveServerThread.server_class = SerialisedAppServer


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Every test writes uploads into its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import caches

    for alias in ("default", "generations"):
        caches[alias].clear()
    yield
    for alias in ("default", "generations"):
        caches[alias].clear()


@pytest.fixture(autouse=True)
def _page_cache_off_unless_asked(request, settings):
    """Tests see pages as rendered; tests/performance/test_cache.py turns the cache on."""
    settings.PAGE_CACHE = "page_cache" in request.fixturenames


@pytest.fixture
def page_cache(settings):
    """The whole-page cache, as production runs it."""
    settings.PAGE_CACHE = True

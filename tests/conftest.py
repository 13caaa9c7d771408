import threading

import pytest
from django.conf import settings
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connections
from django.test.testcases import LiveServerThread

# On SQLite the live server shares the tests' one in-memory connection with the test thread
# (see below): every use of it, a request in the server or a query of the test, takes this.
CONNECTION_LOCK = threading.RLock()


class OneAppCallAtATime:
    """The live server's WSGI application, entered by one request thread at a time."""

    def __init__(self, application):
        self.application = application

    @staticmethod
    def drain():
        """Wait until no request is inside the application (one that started before the
        browser closed may still be writing: the test's database must not be flushed under
        it)."""
        with CONNECTION_LOCK:
            pass

    def __call__(self, environ, start_response):
        with CONNECTION_LOCK:
            return self.application(environ, start_response)


def _one_query_at_a_time(execute, sql, params, many, context):
    with CONNECTION_LOCK:  # reentrant: a request's own queries already hold it
        return execute(sql, params, many, context)


class SerialisedAppServer(ThreadedWSGIServer):
    """A thread per connection, as Django's live server has, around OneAppCallAtATime."""

    def set_app(self, application):
        super().set_app(OneAppCallAtATime(application))


def _runs_long(item):
    """Browser tests, tests that start servers or flush the database, and those marked slow."""
    db = item.get_closest_marker("django_db")
    marked = item.get_closest_marker("slow") or item.get_closest_marker("browser")
    return bool(marked or (db and db.kwargs.get("transaction")))


def pytest_collection_modifyitems(items):
    """The long tests first, in their usual order, then the rest: with two workers (and
    `--dist worksteal`), the run ends on short tests with both workers busy, not on one
    worker finishing a long test while the other waits."""
    items.sort(key=lambda item: not _runs_long(item))


@pytest.fixture(scope="session", autouse=True)
def one_app_call_at_a_time_on_sqlite():
    """On SQLite the live server hands the tests' one in-memory connection to every request
    thread; admin pages that fire requests in the background (autosave, presence, the live
    preview) then used it at the same moment ("Could not decode to UTF-8", "bad parameter or
    other API misuse"). There, the application is entered by one request at a time; the
    server keeps its threads, so a browser's open connections never block each other."""
    if "sqlite" in settings.DATABASES["default"]["ENGINE"]:
        LiveServerThread.server_class = SerialisedAppServer
        # The test thread's own queries (assertions, the flush after each test) wait for a
        # request in flight, instead of using the connection under it.
        connections["default"].execute_wrappers.append(_one_query_at_a_time)


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

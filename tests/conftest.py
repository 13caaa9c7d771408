import pytest
from django.conf import settings
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread


class OneRequestAtATime(WSGIServer):
    """The live server's HTTP server without a thread per request (see below)."""

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.connections_override = connections_override  # LiveServerThread.run applies it


@pytest.fixture(scope="session", autouse=True)
def one_request_at_a_time_on_sqlite():
    """On SQLite the live server hands the tests' one in-memory connection to every request
    thread; admin pages that fire requests in the background (autosave, presence, the live
    preview) then used it at the same moment ("Could not decode to UTF-8", "bad parameter or
    other API misuse"). There, requests are served one at a time (Django then closes each
    connection after its response); PostgreSQL keeps a thread per request."""
    if "sqlite" in settings.DATABASES["default"]["ENGINE"]:
        LiveServerThread.server_class = OneRequestAtATime


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

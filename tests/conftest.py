import pytest


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

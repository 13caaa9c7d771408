"""Fixtures shared by the page-cache tests."""

import pytest

from config.lib import cache, edge

EDGE = "http://127.0.0.1:9/"  # nothing listens: every purge would fail unless stubbed


class Invalidations(list):
    """Each `cache.invalidate` call the announcers make: [(keys, halves)]."""

    def keys(self):
        """Every key the calls named, together."""
        return set().union(*(keys for keys, _ in self))


@pytest.fixture
def invalidated(monkeypatch):
    """The `cache.invalidate` calls made inside the test (`Invalidations`)."""
    calls = Invalidations()
    real = cache.invalidate

    def invalidate(keys, halves=()):
        calls.append((set(keys), tuple(halves)))
        real(keys, halves)

    monkeypatch.setattr(cache, "invalidate", invalidate)
    return calls


@pytest.fixture
def purges(monkeypatch, settings):
    """Every PURGE the app sends: [(url, method, xkey header)]; the edge answers 200."""
    settings.EDGE_PURGE_URLS = [EDGE]
    sent = []

    class Answer:
        status = 200

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    def urlopen(request, timeout):
        sent.append((request.full_url, request.get_method(), request.headers["Xkey"]))
        return Answer()

    monkeypatch.setattr(edge.urllib.request, "urlopen", urlopen)
    return sent

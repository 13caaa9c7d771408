"""Fixtures shared by the page-cache tests."""

import pytest

from config.lib import cache


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

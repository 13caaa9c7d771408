"""One render per page at a time, for the page cache (config/lib/cache.py `_serve`).

A write makes its pages misses for every reader at once: a popular page asked for 200 times a
second, rendering in 70 ms under load, was rendered 14 times after each write
(bench/load_with_writes.py), which is what made the readers' p99. The first miss claims the
page (an atomic add in the default cache: Redis, or this process's memory); the others wait
for its entry and are served it as a hit once it is there and fresh (`_fresh`, as for any
entry: a write since it was built makes it a miss again). When the render could not be kept
because a write landed meanwhile, the claim is dropped and the next waiter claims the page in
turn. When the page is not one the cache keeps (no search results, an error), the claim is
dropped too, and this process remembers for a few seconds that the page is rendered without
a claim, so its waiters, and whoever asks next, render it side by side as before (kept in the
process, not the cache: a page the cache does not keep makes no entry there, issue 12). No
one waits more than RENDER_WAIT seconds; a claim left by a process that died lapses after
RENDER_CLAIM.
"""

import time

from django.core.cache import caches

RENDER_WAIT = 2.0
RENDER_CLAIM = 10
NOT_KEPT_SECONDS = 5
_NOT_KEPT_LIMIT = 1024  # pages remembered per process; forgotten all at once past it
POLL_SECONDS = (0.005, 0.01, 0.02, 0.04)
KEPT, LATE, NOT_KEPT = "kept", "late", "not kept"
_not_kept = {}  # page key -> time.monotonic() until which it is rendered without a claim


def rendering(key):
    """The claim's key for the page `key`."""
    return f"{key}:rendering"


def claim(key):
    """True when this request now renders the page `key` for everyone."""
    return caches["default"].add(rendering(key), 1, RENDER_CLAIM)


def claimed_by_someone(found, key):
    """Whether `found` (a read that asked for `rendering(key)`) holds the claim."""
    return rendering(key) in found


def release(key, outcome):
    """The render of `key` is over (`outcome`: KEPT, LATE or NOT_KEPT)."""
    caches["default"].delete(rendering(key))
    if outcome == NOT_KEPT:
        if len(_not_kept) >= _NOT_KEPT_LIMIT:
            _not_kept.clear()
        _not_kept[key] = time.monotonic() + NOT_KEPT_SECONDS


def not_kept_here(key):
    """True while this process renders `key` without a claim (the cache does not keep it)."""
    until = _not_kept.get(key)
    return until is not None and until > time.monotonic()


def forget():
    """Forget the pages remembered as not kept (tests)."""
    _not_kept.clear()

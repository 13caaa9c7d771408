"""What a cached page shows, and the version of each thing it shows (issue 18).

While a cached page renders, the views add a *dependency key* for everything they show:
`article:<id>`, `model:<id>`, `category:<id>`, `author:<id>`, `tag:<id>`, and list keys for
what a list would gain or lose (`list:articles`, `list:models`, `list:tag:<id>`, ...). Names
are the apps' business; this module only keeps them (`depends_on`, `recording`).

Each key has a *version* in the generations store (Redis, or the file cache every local
process shares): a stamp no earlier version had (`new_version`). A write says which keys it
changed (`invalidate`), and each gets a new version (the writer's own until it commits); a
cached page is fresh while every key it recorded keeps its version (config/lib/cache.py).

Two keys per half of the site keep the old, whole-half behaviour where nothing finer is
known: `any:<half>` changes with every write of the half (a page that declares nothing
depends on it, and so does `generational` data), `half:<half>` with a change whose reach is
unknown (`bump`: an image, a licence, a restore), which every page of the half depends on.

One more stamp, the *epoch*, changes with every write, before and after its keys (or with
them, config/lib/warming.py): a page is stored only if it did not move while it rendered,
and an entry whose epoch is still current needs no look at its keys (one round trip).
"""

import secrets
import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction

HALVES = ("articles", "catalog")
EPOCH = "dep:epoch"
DUE = "dep:due"  # epoch seconds at which the next scheduled article comes due
_NEVER = float("inf")


def any_key(half):
    return f"any:{half}"


def half_key(half):
    return f"half:{half}"


def stored(key):
    """Where the version of dependency `key` lives in the generations store."""
    return f"dep:{key}"


# -- Recording what a page shows ---------------------------------------------------------------

_recording = ContextVar("page_dependencies", default=None)


class Record:
    """What a page showed: `keys`, and whether its view declared them (`complete`)."""

    def __init__(self):
        self.keys = set()
        self.complete = False


def depends_on(*keys):
    """The page being rendered shows these keys, and its view says so (so the page depends
    on what it declares, not on its whole halves). Nothing happens outside a cached render."""
    record = _recording.get()
    if record is not None:
        record.keys.update(keys)
        record.complete = True


def also_depends_on(*keys):
    """A part of a page (a panel, a template tag) shows these keys. On its own it does not
    make the page's record complete: a page whose view declares nothing keeps the default."""
    record = _recording.get()
    if record is not None:
        record.keys.update(keys)


@contextmanager
def recording():
    """Collect the keys named inside; yields the Record."""
    record = Record()
    token = _recording.set(record)
    try:
        yield record
    finally:
        _recording.reset(token)


def page_dependencies(halves, record):
    """The keys an entry depends on: what it showed plus its halves' unknown-reach key.

    A page whose view declared nothing depends on every write of its halves, as before issue
    18 (and on whatever its parts named).
    """
    if not record.complete:
        return tuple(sorted({*record.keys, *(any_key(half) for half in halves)}))
    return tuple(sorted({*record.keys, *(half_key(half) for half in halves)}))


# -- Versions ----------------------------------------------------------------------------------


def new_version():
    """A stamp no earlier version had, even after an eviction and with clocks that disagree.

    Compared only for equality: the time keeps them readable, 64 random bits make a re-created
    one (after Redis evicted it under allkeys-lru) differ from every stamp an entry carries.
    """
    return time.time_ns() << 64 | secrets.randbits(64)


def _store():
    return caches["generations"]


def shares_store():
    """True when versions live in the default cache too (Redis): an entry of the default
    cache and the epoch can then be read in one round trip."""
    return settings.CACHES.get("generations") == settings.CACHES.get("default")


def versions(keys, found=None, epoch=None):
    """The current versions of `keys` (a tuple); a missing one is created, never guessed.

    `found` holds what a lookup already read ({stored name: value}); only the rest is read.
    `epoch`, the epoch the caller read before asking: inside `remembering()`, versions read
    after that epoch are kept for the request and not read again while it is current.
    """
    store = _store()
    names = [stored(key) for key in keys]
    known = _known.get()
    remembered = known.setdefault(epoch, {}) if known is not None and epoch else None
    own = _writing().get("versions", {})  # this thread's, while its transaction is open
    found = {**(remembered or {}), **(found or {}), **own}
    wanted = [name for name in names if name not in found]
    if wanted:
        found.update(store.get_many(wanted))
    missing = [name for name in names if name not in found]
    if missing:
        for name in missing:
            store.add(name, new_version(), None)
        found.update(store.get_many(missing))
    if remembered is not None:
        remembered.update((name, found[name]) for name in names if name in found)
    return tuple(found.get(name, 0) for name in names)


# Versions this request has read, by the epoch read before them. Sound because every write
# moves the epoch before it changes a version: whoever reads the same epoch again knows that
# no write began since, so what was read after it is still current; an epoch that moved is
# never read again, and what was kept under it is never used.
_known = ContextVar("known_versions", default=None)


@contextmanager
def remembering():
    """Inside (one request of the page cache: config/lib/cache.py `_serve`), the versions
    its page and its kept parts read are read once: a part checked after the page asks the
    cache only for the keys the page did not show."""
    token = _known.set({})
    try:
        yield
    finally:
        _known.reset(token)


def current_epoch(found=None):
    """The epoch; while this thread's transaction has written, paired with its own (so a
    write elsewhere still moves it, and the shared epoch alone never equals it); while
    `planning`, the planned one."""
    if plan := _plan():
        return plan["epoch"]
    found = found or {}
    epoch = found.get(EPOCH)
    if epoch is None:
        store = _store()
        epoch = store.get(EPOCH)  # one round trip, but on the first read after an eviction
        if epoch is None:
            store.add(EPOCH, new_version(), None)
            epoch = store.get(EPOCH)
    own = _transaction_own()
    return (epoch, own["epoch"]) if own else epoch


# -- Writes ------------------------------------------------------------------------------------

_listeners = []


def on_invalidate(listener):
    """Call `listener(keys)` once the write that changed `keys` commits (the edge purges)."""
    if listener not in _listeners:
        _listeners.append(listener)


def invalidate(keys, halves=()):
    """New versions for `keys` and for `any:<half>` of each of `halves`; one call per block.

    Outside a transaction, at once, for everyone. Inside one, the new versions are this
    thread's own until it commits (`_writing`): its later reads are fresh, while every other
    reader keeps the pages of the rows it can still see; a global bump before the commit
    would have them render those pages from the old rows, and render them again after it.
    Once the transaction commits, everyone gets new versions. Listeners hear of it once,
    after the commit (never for a rolled-back write).
    """
    keys = tuple(sorted({*keys, *(any_key(half) for half in halves)}))
    if not keys:
        return
    if connection.in_atomic_block:
        _write_locally(keys)
    else:
        publish(keys)
    for listener in _listeners:
        listener(keys)


def bump(*halves):
    """Everything the `halves` (all when none) show changed: every page of them is stale."""
    halves = halves or HALVES
    invalidate([half_key(half) for half in halves], halves)
    if "articles" in halves:
        due_changed()  # rows replaced wholesale: their schedule too


# What a transaction in this thread invalidated: {"versions": {stored name: version}, "epoch",
# "commits": the on-commit callbacks that publish its keys}, while one of them is pending (a
# rollback drops them); and, while `planning`, what a committed write is about to publish.
_local = threading.local()


def _writing():
    """This thread's own versions and epoch (planned, or its open transaction's), else {}."""
    return _plan() or _transaction_own()


def _plan():
    return getattr(_local, "planned", None)


def _transaction_own():
    own = getattr(_local, "writing", None)
    if own:
        pending = {id(c) for _, c, _ in connection.run_on_commit if connection.in_atomic_block}
        if any(id(commit) in pending for commit in own["commits"]):
            return own
        _local.writing = None  # rolled back: nothing of it is pending any more
    return {}


def _write_locally(keys):
    own = _transaction_own() or {"versions": {}, "commits": []}
    own["versions"].update((stored(key), new_version()) for key in keys)
    own["epoch"] = new_version()
    own["commits"].append(lambda: _committed(keys))
    transaction.on_commit(own["commits"][-1])
    _local.writing = own


def _committed(keys):
    _local.writing = None  # the transaction is over: the shared versions are current again
    _publisher(keys)


def publish_with(publisher):
    """`publisher(keys)` publishes committed writes' keys instead (config/lib/warming.py)."""
    global _publisher
    _publisher = publisher


@contextmanager
def planning(keys=(), plan=None):
    """Inside, this thread reads new versions for `keys` and a new epoch, no one else's yet,
    and what it would store is held (`hold`); yields the plan ({"versions": {stored name:
    version}, "epoch", "held": {cache key: (value, timeout)}}). With `plan`, its versions."""
    plan = plan or {"versions": {stored(key): new_version() for key in keys}}
    _local.planned = plan = {"epoch": new_version(), **plan, "held": {}}
    try:
        yield plan
    finally:
        _local.planned = None


def hold(entries, timeout):
    """While `planning`, keep `entries` ({cache key: value}) for the plan; True when held."""
    if not (plan := _plan()):
        return False
    plan["held"].update((name, (value, timeout)) for name, value in entries.items())
    return True


def planned():
    return bool(_plan())


def publish(keys):
    """New versions for `keys`, everyone's at once: the epoch, then the keys, then the epoch
    again (see the module docstring)."""
    store = _store()
    store.set(EPOCH, new_version(), None)
    store.set_many({stored(key): new_version() for key in keys}, None)
    store.set(EPOCH, new_version(), None)


_publisher = publish


# -- Content that comes due without a write ---------------------------------------------------

_due_sources = []
_due_actions = []


def register_due_source(source, keys=None, on_due=None):
    """Plug in `source()`: the next datetime at which articles appear by themselves, or None.

    `keys(since)` names the dependency keys of what came due from `since` (a datetime) to
    now; without it, the whole articles half is invalidated when something comes due.
    `on_due()`, when given, runs at the first request after such a moment, before the pages
    are invalidated (it may write, announcing as any write does). The articles app registers
    its scheduled articles and scheduled draft changes here; this module names no app.
    """
    if all(existing != source for existing, _ in _due_sources):
        _due_sources.append((source, keys))
    if on_due is not None and on_due not in _due_actions:
        _due_actions.append(on_due)


def _next_due():
    moments = [moment for source, _ in _due_sources if (moment := source()) is not None]
    return min(moments).timestamp() if moments else _NEVER


def due_changed():
    """A scheduled moment was set or withdrawn: the next request works the next one out again,
    after making up for anything that came due since the moment it knew (or since now)."""
    _due_now()
    if connection.in_atomic_block:
        transaction.on_commit(_due_now)


def _due_now():
    store = _store()
    known = store.get(DUE)
    now = time.time()
    store.set(DUE, now if known is None else min(known, now), None)


def check_due(found):
    """True when a due moment passed (what came due is now invalidated, and the due actions
    have run, which may have written): read again.

    `found` is what the page lookup read, the due moment among it; it learns the next one.
    A missing moment (never computed, or evicted) is computed: evicted entries are read again
    (their keys may be gone too), and the next moment is known from then on.
    """
    due = found.get(DUE)
    now = time.time()
    if due is not None and now < due:
        return False
    if due is not None:
        _came_due(due)
    found[DUE] = _next_due()
    _store().set(DUE, found[DUE], None)
    return due is not None


def due_check():
    """Run what has come due, for a public read that does not go through the page cache
    (staff, or the cache turned off): one cache read, no query, unless something is due.

    The moment is known once any cached page or `generational` count has read it; this check
    does not compute it itself, so reads outside the cache cost no query more than before.
    """
    due = _store().get(DUE)
    if due is not None and time.time() >= due:
        check_due({DUE: due})


def seconds_to_due(found):
    """Seconds until the next scheduled article comes due (inf: none), from what a lookup
    read after `check_due`: no edge may keep a page of the articles half longer."""
    return max(0.0, found.get(DUE, _NEVER) - time.time())


def _came_due(due):
    """Run the due actions, then invalidate what went live from `due` on."""
    for action in _due_actions:
        action()
    since = datetime.fromtimestamp(due, UTC) - timedelta(seconds=1)  # float rounding
    keys = set()
    for _, named in _due_sources:
        keys.update({half_key("articles")} if named is None else named(since))
    if keys:
        invalidate(keys, ("articles",))

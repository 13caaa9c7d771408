"""Parts of pages kept between renders, never stale (issue 18: cheap renders).

A *fragment* is a piece of a page (a card, an article's main column, a model's fact sheet)
that costs queries and template work and changes only when what it shows changes. It is
built under `recording()` like a cached page (config/lib/dependencies.py), and kept with the
keys it declared and the version each had; it is reused while every one still has that
version, exactly the check a cached page passes (`cache._fresh`): a write that changes
something a fragment shows gives one of its keys a new version, and the next render builds
it again. A build that declares nothing (`depends_on`) depends on every write of its halves.

Unlike the page cache, fragments serve every reader (signed in or not, cache on or off):
they hold only public content, never a request's user, messages or tokens. That is what
makes a page that cannot be kept whole (the page cache off, a signed-in reader, the first
render after a write) cheap: only the parts the write touched are built again.

The keys a reused fragment declared are added to the page being rendered (`also_depends_on`),
so the page cache and the edge see the same dependencies whether a part was built or reused.
Fragments are stored only when no write landed while they were built (the epoch did not move),
for the same reason pages are.
"""

import hashlib
from collections.abc import Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from functools import cache

from django.conf import settings
from django.core.cache import caches
from django.core.paginator import Page, Paginator

from config.lib import dependencies

TIMEOUT = 60 * 60 * 24


@dataclass(frozen=True)
class Fragment:
    keys: tuple
    versions: tuple
    epoch: int
    value: object


@cache
def release():
    """A token of this code and its templates: fragments built by other code are not reused.

    A fragment holds HTML its templates and Python made; a deploy that changes either must
    not serve what the old code built (entries live a day). Read once per process from the
    names and contents of the project's .py and .html files (contents, not modification
    times: images built for deploys often reset those).
    """
    digest = hashlib.sha256()
    base = settings.BASE_DIR
    for path in sorted(
        path
        for folder in ("articles", "models_catalog", "config", "templates")
        for path in (base / folder).rglob("*")
        if path.suffix in {".py", ".html"}
    ):
        digest.update(str(path.relative_to(base)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def _name(name):
    return "frag:" + hashlib.sha256(f"{release()}:{name}".encode()).hexdigest()


def kept(name, build, *, halves):
    """`build()` (any picklable value), reused until a key it declared changes."""
    return kept_many([name], lambda _: build(), halves=halves)[0]


def kept_many(names, build, *, halves, prepare=None):
    """[build(i) for each of `names`], each reused until a key it declared changes.

    One read for all the entries and the epoch; when a write happened since they were
    stamped, one more for the versions of their keys. `prepare(indexes)`, when given, is
    called once with the indexes that must be built, before they are (to load their rows in
    one query); what was built is stored together.
    """
    if not names:
        return []
    store = caches["default"]
    stored = [_name(name) for name in names]
    found, epoch = _fetch(store, stored)
    entries = [found.get(name) for name in stored]
    fresh = _fresh(entries, epoch)
    missing = [i for i, ok in enumerate(fresh) if not ok]
    if missing and prepare is not None:
        prepare(missing)
    values, new, restamp = [], {}, {}
    for i, (name, entry, ok) in enumerate(zip(stored, entries, fresh, strict=True)):
        if ok:
            dependencies.also_depends_on(*entry.keys)
            values.append(entry.value)
            if entry.epoch != epoch:
                restamp[name] = replace(entry, epoch=epoch)
            continue
        with dependencies.recording() as shown:
            value = _failed_during(build, i)
        keys = dependencies.page_dependencies(halves, shown)
        dependencies.also_depends_on(*keys)
        new[name] = (keys, value)
        values.append(value)
    _store(store, new, restamp, epoch)
    return values


def _fetch(store, stored):
    """({name: entry}, epoch): in one round trip where parts and versions share a cache."""
    if not dependencies.shares_store():
        return store.get_many(stored), dependencies.current_epoch()
    found = store.get_many([*stored, dependencies.EPOCH])
    epoch = found.pop(dependencies.EPOCH, None)
    return found, dependencies.current_epoch({} if epoch is None else {dependencies.EPOCH: epoch})


def _fresh(entries, epoch):
    """Which entries are still fresh: stamped at `epoch`, or all their keys' versions match."""
    stale = [e for e in entries if isinstance(e, Fragment) and e.epoch != epoch]
    current = {}
    if stale:
        keys = tuple(sorted({key for entry in stale for key in entry.keys}))
        current = dict(zip(keys, dependencies.versions(keys, epoch=epoch), strict=True))
    return [
        isinstance(entry, Fragment)
        and (entry.epoch == epoch or tuple(current[key] for key in entry.keys) == entry.versions)
        for entry in entries
    ]


def _store(store, new, restamp, epoch):
    """Keep what was built, unless a write moved the epoch meanwhile (as `cache._store_page`);
    inside `storing_together`, once the render is over. Entries only stamped again need no
    check: they were found fresh at `epoch`, and an epoch that moved is never current again."""
    entries = dict(restamp)
    if new:
        keys = tuple(sorted({key for keys, _ in new.values() for key in keys}))
        current = dict(zip(keys, dependencies.versions(keys, epoch=epoch), strict=True))
        for name, (shown, value) in new.items():
            versions = tuple(current[key] for key in shown)
            entries[name] = Fragment(shown, versions, epoch, value)
    pending = _pending.get()
    if pending is None:
        _write(store, entries, epoch, check=bool(new))
        return
    waiting = pending.setdefault(epoch, [{}, False])  # [entries, whether any was built]
    waiting[0].update(entries)
    waiting[1] = waiting[1] or bool(new)


def _write(store, entries, epoch, check):
    if dependencies.hold(entries, TIMEOUT):  # a write's pages made ready: stored with them
        return
    if check and dependencies.current_epoch() != epoch:
        return
    if entries:
        store.set_many(entries, TIMEOUT)


_pending = ContextVar("pending_fragments", default=None)


@contextmanager
def storing_together():
    """Inside (a page's render by the page cache), the parts built or stamped again are
    stored when it ends, all at once: one look at the epoch and one write, not two round
    trips per part. Nothing is stored when the render raises."""
    pending = {}
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    for epoch, (entries, built) in pending.items():
        _write(caches["default"], entries, epoch, check=built)


_failures = ContextVar("shown_failures", default=None)


def _noted(error):
    failures = _failures.get()
    if failures is not None:
        failures.append(error)


def call_loudly(function, *args, **kwargs):
    """`function(...)`, raising the first error a `Shown` value met while it ran, even one
    the template engine swallowed (an `{% if a or b %}` turns errors into False): a page or
    part built from a failed value is an error, never a wrong page kept."""
    failures = []
    token = _failures.set(failures)
    try:
        result = function(*args, **kwargs)
    finally:
        _failures.reset(token)
    if failures:
        raise failures[0]
    return result


def _failed_during(build, *args):
    """`build(*args)`, raising a `Shown` error it met even if the template engine swallowed it."""
    failures = _failures.get()
    mark = len(failures) if failures is not None else 0
    value = build(*args)
    if failures is not None and len(failures) > mark:
        raise failures[mark]
    return value


class Shown:
    """A view's value computed on first use, whose keys are said again wherever it is used.

    `Shown(compute)` in a page's context: `compute()` runs the first time a template reads
    the value, under its own recording; every later read says the same keys again to the
    page or fragment being rendered then. So a fragment that reads a value the page already
    computed still records what it shows, and a fragment that is reused never computes it.
    """

    def __init__(self, compute):
        self._compute = compute
        self._record = None

    def _value(self):
        if self._record is None:
            with dependencies.recording() as record:
                try:
                    self._result = self._compute()
                except Exception as error:
                    _noted(error)  # the template engine may swallow it: see call_loudly
                    raise
            self._record = record
        if self._record.complete:
            dependencies.depends_on(*self._record.keys)
        else:
            dependencies.also_depends_on(*self._record.keys)
        return self._result

    @property
    def value(self):
        return self._value()

    def __getattr__(self, name):
        if name in {"_compute", "_record", "_result"}:  # not set yet: no recursion
            raise AttributeError(name)
        return getattr(self._value(), name)

    def __getitem__(self, key):
        return self._value()[key]

    def __iter__(self):
        return iter(self._value())

    def __len__(self):
        return len(self._value())

    def __bool__(self):
        return bool(self._value())


class Rows(Sequence):
    """A page of rows known by their ids (in order); the rows are loaded only when read.

    A list page whose items are kept as fragments needs their ids, and the rows of the
    items that must be built again: `load(ids)` gives those ({id: row}) in one query.
    Reading it as a sequence loads every row, in the order of `ids`.
    """

    def __init__(self, ids, queryset):
        self.ids = list(ids)
        self.queryset = queryset
        self.label = queryset.model._meta.label
        self._all = None

    def load(self, ids):
        return {row.pk: row for row in self.queryset.filter(pk__in=list(ids))}

    def _rows(self):
        if self._all is None:
            rows = self.load(self.ids)
            self._all = [rows[pk] for pk in self.ids if pk in rows]
        return self._all

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, index):
        return self._rows()[index]


class RowsPaginator(Paginator):
    """Pages whose `object_list` is `Rows`: the page's ids in one query (an index walk with
    LIMIT/OFFSET over the ids alone), the rows only when read. `kept_ids(number, compute)`,
    when given, may keep a page's ids (until the next write that could move them)."""

    def __init__(self, object_list, per_page, *, kept_ids=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.kept_ids = kept_ids

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count

        def compute():
            return list(self.object_list.values_list("pk", flat=True)[bottom:top])

        ids = self.kept_ids(number, compute) if self.kept_ids else compute()
        return Page(Rows(ids, self.object_list), number, self)

"""Pages made ready before a write is published, so no reader waits for them (issue 18).

A write gives new versions to the keys it changed, and every cached page that shows one of
them must render again. Under load that render is what readers wait for: a publish changes
the "Recent posts" of every article page, and each of them was rendered by the first reader
to ask while the others queued behind it (bench/load_with_writes.py: p99 550-600 ms at 1,900
requests a second, against 145 ms without writes).

With Redis, once the write has committed (config/lib/dependencies.py `publish_with`), the
writer renders the affected pages the cache kept most recently itself, under versions
it has planned but not yet given anyone (`dependencies.planning`). Meanwhile every reader is
still served the pages as they were, which is allowed: the write's response has not gone out.
A page during whose render any write began (the shared epoch moved) is dropped. Then one Redis
transaction (WATCH on every version involved, MULTI/EXEC) sets the planned versions, a new
epoch and the rendered pages (with the parts they built) together, keeping only the entries
whose every key still has the version they were rendered with. A key of this write that
another write changed meanwhile gets a new version instead of the planned one (and no page
showing it is kept), so nothing hides that write. Readers' next requests are hits. When
anything fails, the keys get new versions as before (`dependencies.publish`) and readers
render the pages, as without this module. The write's response leaves after either.

One write's pages render at a time, on every server (a turn held in Redis, lapsing if its
server dies): two writes rendering at once would each find the other's keys moved at its
swap and keep nothing. A write waits for the turn as long as another may hold it (its
seconds, the render still running when they are up, the swap: twice PAGE_CACHE_WARM_SECONDS);
one that does not get it by then (a server died holding it) is published without rendering
ahead. Waiting less was worse: a second write that gave up while the first rendered published
its keys mid-render, and when the first write's pages showed one of them (an edited article in
every "Recent posts") none of them could be kept, nor were the second write's rendered.

Which pages: each page the cache keeps is remembered with the keys it shows (a sorted set of
the KEEP most recently stored, one small record each), and one hit in PAGE_CACHE_HIT_SAMPLE
(settings; 16) is counted. A write renders the pages that show a key it changed and that
readers read (a hit counted), the most read first, then the newest, at most MOST of them
within the seconds PAGE_CACHE_WARM_SECONDS allows (the editor's save waits for them; 0 turns
this off). A page read once in a while is rendered by its next reader, as without this
module: rendering it for every write would spend, on pages no one may ask for before the
next write, the CPU the readers of the busy ones need (bench/README, seventh session). Behind
an edge (EDGE_PURGE_URLS) only the edge's misses reach us, one for many readers: every hit
and every page rendered for a reader is counted, or no page there would ever count as read.
Without Redis (pages in one process's memory) nothing changes.
"""

import logging
import random
import secrets
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from io import BytesIO

from django.conf import settings
from django.core.cache import caches
from django.core.handlers.base import BaseHandler
from django.core.handlers.wsgi import WSGIRequest
from django.db import connection, connections
from redis.exceptions import WatchError

from config.lib import dependencies, edge
from config.lib.dependencies import stored

logger = logging.getLogger("modelpress.cache")

RECENT = "warm:recent"  # sorted set: page key -> when it was last stored
HOT = "warm:hot"  # sorted set: page key -> hits counted (one in PAGE_CACHE_HIT_SAMPLE)
HOT_KEEP = 4096
RECORD = "warm:{}"  # the Record of a page key, by its hash (the name holds no "page:")
KEEP = 512  # pages remembered
MOST = 32  # pages rendered per write, at most
THREADS = 4  # rendering them side by side
RECORD_TIMEOUT = 60 * 60
TURN = "warm:turn"
RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end"


@dataclass(frozen=True)
class Record:
    """How to ask for a kept page again, and what it shows."""

    path: str  # with the query the page reads, canonical
    host: str
    scheme: str
    keys: frozenset


def enabled():
    """With the project's Redis backend (config/lib/adapters.py: it offers `client` for a
    script) holding pages and versions alike."""
    store = caches["default"]
    return (
        callable(getattr(store, "client", None))
        and dependencies.shares_store()
        and getattr(settings, "PAGE_CACHE", True)
        and settings.PAGE_CACHE_WARM_SECONDS > 0
    )


def store(request, key, entry, timeout):
    """Keep the page `entry` as `key` and remember it with the keys it shows (a write of one
    of them renders it), in one round trip; False when not `enabled` (the caller keeps it)."""
    if not enabled():
        return False
    cache = caches["default"]
    query = request.GET.urlencode()
    record = Record(
        request.path + (f"?{query}" if query else ""),
        request.get_host(),
        request.scheme,
        frozenset(entry.keys),
    )
    pipe = cache.client().pipeline(transaction=False)
    pipe.set(cache.make_and_validate_key(key), cache.encode(entry), ex=timeout)
    recent = cache.make_and_validate_key(RECENT)
    pipe.zadd(recent, {key: time.time()})
    pipe.zremrangebyrank(recent, 0, -KEEP - 1)
    pipe.set(cache.make_and_validate_key(_record(key)), cache.encode(record), ex=RECORD_TIMEOUT)
    pipe.execute()
    return True


def publish(keys):
    """Make `keys`' new versions everyone's, with the pages they change rendered first when
    possible; otherwise as `dependencies.publish`. Never raises for a page."""
    published = False
    try:
        # A write made while a write's pages render (a page that refreshes itself) is
        # published at once: its pages are not rendered within the other's.
        if enabled() and not dependencies.planned():
            with _one_at_a_time(caches["default"]) as turn:
                published = turn and _render_and_swap(keys)
    except Exception:  # noqa: BLE001 - the write is committed: its keys are published below
        logger.exception("pages of a write could not be made ready; published without them")
    if not published:
        dependencies.publish(keys)


@contextmanager
def _one_at_a_time(store):
    """Yields True once this write holds the turn (one write's pages render at a time, on
    every server: two at once would each find the other's keys moved and keep nothing),
    False when it did not come within the time another may hold it (see the module's)."""
    name = store.make_and_validate_key(TURN)
    token = secrets.token_hex(8)
    client = store.client()
    deadline = time.monotonic() + settings.PAGE_CACHE_WARM_SECONDS * 2
    lease = int(settings.PAGE_CACHE_WARM_SECONDS * 2) + 5  # a dead server's turn lapses
    while not (held := bool(client.set(name, token, nx=True, ex=lease))):
        if time.monotonic() >= deadline:
            break
        time.sleep(0.01)
    try:
        yield held
    finally:
        if held:
            client.eval(RELEASE, 1, name, token)


def _render_and_swap(keys):
    store = caches["default"]
    started = time.monotonic()
    before = dict(zip(keys, dependencies.versions(keys), strict=True))
    pages = _affected(store, set(keys))
    with dependencies.planning(keys) as plan:
        ready = _render_all(store, plan, pages, started + settings.PAGE_CACHE_WARM_SECONDS)
    kept = _swap(store, keys, before, plan, ready)
    logger.info(
        "a write of %d keys: %d pages show them, %d rendered ahead, %s kept, %.0f ms",
        len(keys),
        len(pages),
        sum(name.startswith("page:") for name in ready),
        "none" if kept is None else kept,
        (time.monotonic() - started) * 1000,
    )
    return kept is not None


def _render_all(store, plan, pages, deadline):
    """{cache key: (value, timeout)} held by the pages rendered for `plan` before `deadline`
    while no write began. A render mostly waits on the database and Redis, so THREADS render
    side by side, each on its own connection; inside a transaction (the tests', whose rows
    no other connection sees) this thread renders them alone."""
    waiting, ready, lock = list(reversed(pages)), {}, threading.Lock()

    def work():
        with dependencies.planning(plan=plan) as own:
            while time.monotonic() < deadline:
                with lock:
                    if not waiting:
                        return
                    record = waiting.pop()
                own["held"] = {}
                epoch = store.get(dependencies.EPOCH)
                _render(record)
                if epoch is not None and store.get(dependencies.EPOCH) == epoch:
                    with lock:  # no write began while it rendered
                        ready.update(own["held"])

    if connection.in_atomic_block:
        work()
        return ready
    threads = [threading.Thread(target=_closing, args=(work,)) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return ready


def _closing(work):
    try:
        work()
    finally:
        connections.close_all()  # this thread's own


def _affected(store, keys):
    """Records of the recently kept pages that show one of `keys` and that readers read (a
    hit `seen` counted): the most read first, then the most recently kept. A page no reader
    came back to since it was kept (an editor's check of their own article, a crawler's
    visit) is left to its next reader, if one comes before the next write changes it."""
    client = store.client()
    recent = [m.decode() for m in client.zrevrange(store.make_and_validate_key(RECENT), 0, -1)]
    reads = client.zmscore(store.make_and_validate_key(HOT), recent) if recent else []
    read = {key: n for key, n in zip(recent, reads, strict=True) if n}
    order = sorted(read, key=lambda key: -read[key])  # stable: then the most recently kept
    records = store.get_many([_record(key) for key in order])  # only the records of read pages
    found = (records.get(_record(key)) for key in order)
    return [record for record in found if record is not None and record.keys & keys][:MOST]


def seen(key):
    """A reader was served the page `key` from the cache: one in PAGE_CACHE_HIT_SAMPLE is
    counted: a write renders the pages readers read, the most read first (a crawler's visit
    to a thousand old pages makes them recent, not read). Behind an edge, every one."""
    if edge.in_front() or random.random() < 1 / settings.PAGE_CACHE_HIT_SAMPLE:
        _count(key)


def rendered_for_reader(key, kept):
    """A reader's request rendered the page `key` (and it was `kept`).

    Behind an edge (EDGE_PURGE_URLS) what reaches us is the edge's misses, each standing for
    the readers the edge serves after it, so a kept render is counted as read, like every hit
    there. Counting only hits left the pages behind an edge unread, and after each purge a
    reader rendered them. Without an edge the first reader since a write is not counted: a
    page read again is, by its hits.
    """
    if kept and edge.in_front():
        _count(key)


def _count(key):
    if not enabled():
        return
    store = caches["default"]
    pipe = store.client().pipeline(transaction=False)
    hot = store.make_and_validate_key(HOT)
    pipe.zincrby(hot, 1, key)
    if random.random() < 1 / 64:  # now and then, the least read beyond HOT_KEEP go
        pipe.zremrangebyrank(hot, 0, -HOT_KEEP - 1)
    pipe.execute()


def _record(key):
    return RECORD.format(key.rpartition(":")[2])


@cache
def _handler():
    handler = BaseHandler()
    handler.load_middleware()
    return handler


def _render(record):
    """Ask for the page as an anonymous reader would; the page cache holds what it renders."""
    path, _, query = record.path.partition("?")
    host, _, port = record.host.partition(":")
    secure = record.scheme == "https"
    environ = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "HTTP_HOST": record.host,
        "SERVER_NAME": host,
        "SERVER_PORT": port or ("443" if secure else "80"),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": record.scheme,
        "wsgi.input": BytesIO(),
    }
    if secure and settings.SECURE_PROXY_SSL_HEADER:
        header, value = settings.SECURE_PROXY_SSL_HEADER
        environ[header] = value
    try:
        # Not .close(): that sends request_finished, which closes this thread's database
        # connection, the writer's own, in the middle of its request.
        _handler().get_response(WSGIRequest(environ))
    except Exception:  # noqa: BLE001 - this page is rendered by its next reader instead
        logger.exception("could not render %s ahead of its readers", record.path)


def _swap(store, keys, before, plan, ready):
    """Publish the planned versions with the entries in `ready` that are still right, in one
    Redis transaction (retried when a key it read changes meanwhile); the number of pages
    kept, or None when it could not be done.

    A key of the write that another write gave a new version since `before` gets a new one
    again (never the planned one, which would hide that write), and no entry showing it is
    kept; nor is one showing any other key whose version moved since it was rendered."""
    names = {stored(key) for key in keys}
    names |= {stored(key) for value, _ in ready.values() for key in value.keys}
    names = sorted(names)
    raw = [store.make_and_validate_key(name) for name in names]
    with store.client().pipeline() as pipe:
        for _ in range(3):
            try:
                pipe.watch(*raw)
                current = dict(zip(names, map(_version, pipe.mget(raw)), strict=True))
                moved = {name for k in keys if current[(name := stored(k))] != before[k]}
                pipe.multi()
                kept = _queue(pipe, store, plan, moved, current, ready)
                pipe.execute()
                return kept
            except WatchError:
                continue
    return None


def _queue(pipe, store, plan, moved, current, ready):
    """The writes of the swap: the epoch, the write's versions, the entries still right;
    how many pages among them."""
    planned = plan["versions"]
    pipe.set(store.make_and_validate_key(dependencies.EPOCH), plan["epoch"])
    for name in planned:
        version = dependencies.new_version() if name in moved else planned[name]
        pipe.set(store.make_and_validate_key(name), version)
    kept = 0
    for name, (value, timeout) in ready.items():
        if _still_right(value, planned, moved, current):
            pipe.set(
                store.make_and_validate_key(name),
                store.encode(value),
                ex=store.get_backend_timeout(timeout),
            )
            if name.startswith("page:"):  # kept again: remembered as long as `store` does
                kept += 1
                pipe.zadd(store.make_and_validate_key(RECENT), {name: time.time()})
                pipe.expire(store.make_and_validate_key(_record(name)), RECORD_TIMEOUT)
    return kept


def _still_right(entry, planned, moved, current):
    """Every key `entry` shows has the version it was rendered with, or will have it."""
    for key, version in zip(entry.keys, entry.versions, strict=True):
        name = stored(key)
        if name in moved or (name not in planned and current.get(name) != version):
            return False
    return True


def _version(raw):
    try:
        return None if raw is None else int(raw)
    except ValueError:
        return None


dependencies.publish_with(publish)

"""Pages made ready before a write is published, so no reader waits for them (issue 18).

A write gives new versions to the keys it changed, and every cached page that shows one of
them must render again. Under load that render is what readers wait for: a publish changes
the "Recent posts" of every article page, and each of them was rendered by the first reader
to ask while the others queued behind it (bench/load_with_writes.py: p99 550-600 ms at 1,900
requests a second, against 145 ms without writes).

With Redis, once the write has committed (config/lib/dependencies.py `publish_with`), the
writer renders the affected pages that readers asked for most recently itself, under versions
it has planned but not yet given anyone (`dependencies.planning`). Meanwhile every reader is
still served the pages as they were, which is allowed: the write's response has not gone out.
Then one Lua script, atomic in Redis, checks that the epoch is the one read before the renders
(no write landed since, so every page rendered shows every write its versions claim), and
sets the planned versions, the epoch and the rendered pages (with the parts they built)
together. Readers' next requests are hits. When the epoch moved, or anything fails, the
planned pages are dropped and the keys get new versions as before (`dependencies.publish`):
readers render the pages, as without this module. The write's response leaves after either.

Which pages: each page the cache keeps is remembered with the keys it shows (a sorted set of
the RECENT most recently stored, one small record each); a write renders those among them
that show a key it changed, newest first, at most MOST of them within BUDGET seconds (the
editor's save waits for them). Without Redis (one machine's memory) nothing changes.
"""

import logging
import time
from dataclasses import dataclass
from functools import cache
from io import BytesIO

from django.conf import settings
from django.core.cache import caches
from django.core.handlers.base import BaseHandler
from django.core.handlers.wsgi import WSGIRequest

from config.lib import dependencies

logger = logging.getLogger("modelpress.cache")

RECENT = "warm:recent"  # sorted set: page key -> when it was last stored
RECORD = "warm:page:"  # + page key: a Record
KEEP = 512  # pages remembered
MOST = 32  # pages rendered per write, at most
BUDGET = 1.0  # seconds of rendering per write, at most
RECORD_TIMEOUT = 60 * 60

# KEYS: the epoch, the versions, the entries. ARGV: the epoch expected, the new epoch, the
# number of versions, the versions, then each entry's value and seconds to live.
SWAP = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local versions = tonumber(ARGV[3])
for i = 1, versions do redis.call('SET', KEYS[1 + i], ARGV[3 + i]) end
for i = versions + 2, #KEYS do
  local at = 4 + versions + 2 * (i - versions - 2)
  redis.call('SET', KEYS[i], ARGV[at], 'EX', ARGV[at + 1])
end
redis.call('SET', KEYS[1], ARGV[2])
return 1
"""


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
        and getattr(settings, "PAGE_CACHE_WARM", True)
    )


def remember(request, key, keys):
    """The page `key` was just kept, showing `keys`: a write of one of them renders it."""
    if not enabled():
        return
    store = caches["default"]
    query = request.GET.urlencode()
    record = Record(
        request.path + (f"?{query}" if query else ""),
        request.get_host(),
        request.scheme,
        frozenset(keys),
    )
    pipe = store.client().pipeline(transaction=False)
    recent = store.make_and_validate_key(RECENT)
    pipe.zadd(recent, {key: time.time()})
    pipe.zremrangebyrank(recent, 0, -KEEP - 1)
    pipe.set(store.make_and_validate_key(RECORD + key), store.encode(record), ex=RECORD_TIMEOUT)
    pipe.execute()


def publish(keys):
    """Make `keys`' new versions everyone's, with the pages they change rendered first when
    possible; otherwise as `dependencies.publish`. Never raises for a page."""
    published = False
    try:
        published = enabled() and _render_and_swap(keys)
    except Exception:  # noqa: BLE001 - the write is committed: its keys are published below
        logger.exception("pages of a write could not be made ready; published without them")
    if not published:
        dependencies.publish(keys)


def _render_and_swap(keys):
    store = caches["default"]
    epoch = store.get(dependencies.EPOCH)
    if epoch is None:
        return False
    pages = _affected(store, set(keys))
    with dependencies.planning(keys) as plan:
        deadline = time.monotonic() + BUDGET
        for path in pages:
            if time.monotonic() >= deadline:
                break
            _render(path)
    return _swap(store, epoch, plan)


def _affected(store, keys):
    """Records of the recently kept pages that show one of `keys`, newest first."""
    recent = store.client().zrevrange(store.make_and_validate_key(RECENT), 0, -1)
    names = [RECORD + member.decode() for member in recent]
    records = store.get_many(names)
    found = (records[name] for name in names if name in records)
    return [record for record in found if record.keys & keys][:MOST]


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
        "wsgi.url_scheme": record.scheme,
        "wsgi.input": BytesIO(),
    }
    if secure and settings.SECURE_PROXY_SSL_HEADER:
        header, value = settings.SECURE_PROXY_SSL_HEADER
        environ[header] = value
    try:
        _handler().get_response(WSGIRequest(environ)).close()
    except Exception:  # noqa: BLE001 - this page is rendered by its next reader instead
        logger.exception("could not render %s ahead of its readers", record.path)


dependencies.publish_with(publish)


def _swap(store, epoch, plan):
    """Publish the plan's versions and epoch with what it held, if the epoch is still
    `epoch`; True when done."""
    versions = list(plan["versions"].items())
    held = list(plan["held"].items())
    keys = [store.make_and_validate_key(dependencies.EPOCH)]
    keys += [store.make_and_validate_key(name) for name, _ in versions]
    keys += [store.make_and_validate_key(name) for name, _ in held]
    args = [store.encode(epoch), store.encode(plan["epoch"]), len(versions)]
    args += [store.encode(version) for _, version in versions]
    for _, (value, timeout) in held:
        args += [store.encode(value), store.get_backend_timeout(timeout)]
    return store.client().eval(SWAP, len(keys), *keys, *args) == 1

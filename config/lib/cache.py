"""Caching of public pages that is never stale.

Rendered anonymous GET responses are cached whole, one entry per path and the query
parameters the page reads (config/lib/cache_keys.py: junk parameters make no entries), each
stamped with the *generations* it was built from: one per half of the site ("articles" and
"catalog"). Any write that can change what readers see bumps the generation of the half it
touches (signals, plus explicit calls after bulk writes), so an entry built from older data
no longer matches and is rendered again. Pages that show both halves depend on both
generations; the catalog list, compare and exports depend only on the catalog, so editing
an article leaves them cached.

Scheduled articles go live without any write: the generation record also holds the next
moment a scheduled article comes due, and the first request after it bumps "articles". A due
source may bring an action that must run at that moment (scheduled draft changes of a live
article are written over it): the first request after the moment runs it, then bumps.

Where the generations live matters with several worker processes: with Redis (REDIS_URL) they
sit beside the pages, and a hit is one MGET (generations and page together); without it they
are kept in a small file-based cache shared by every process on the machine ("generations"
alias), while pages stay in each process's local memory. Either way a write in one worker is
seen by the next request in any other.

The cache is bounded: only distinct pages of the site's content get keys (plus search
queries that found something, which readers choose freely), an entry larger than
PAGE_CACHE_MAX_BYTES is not kept, local memory holds at most MAX_ENTRIES entries per process,
and Redis in production runs with `maxmemory` and `allkeys-lru` (README, "Caching"). Anything
may be evicted: a missing generation is re-created as a stamp no page carries.

Hits are served twice over: by `PageCacheMiddleware`, high in the stack, for readers who
carry no session cookie (most of them), and by the `public_page` decorator for everyone else
who may read the cache. Both check the same entry against the same generations.
"""

import hashlib
import secrets
import time
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache as _DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from django.db import connection, transaction
from django.http import HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers, set_response_etag

from config.lib.cache_keys import PageSpec, may_store, page_key

HALVES = ("articles", "catalog")
PAGE_TIMEOUT = 60 * 60
_GEN_KEY = "gen:{}"
_DUE_KEY = "gen:articles:due"
_NEVER = float("inf")


def _generations_cache():
    return caches["generations"]


def bump(*halves):
    """Make every cached page built from `halves` unreachable (call after a write).

    Inside a transaction it bumps twice: at once, so this request's own later reads are
    fresh, and again once the transaction commits, because a reader in between sees the new
    generations but the old rows, and would store a page (or a count, or the next scheduled
    moment) built from them under the new stamp.
    """
    _bump(halves)
    if connection.in_atomic_block:
        transaction.on_commit(lambda: _bump(halves))


def new_generation():
    """A stamp no earlier generation had, even if a cache evicted it and clocks disagree.

    Stamps are only ever compared for equality: the time keeps them readable, 64 random bits
    make a re-created one (after Redis evicted `gen:*` under allkeys-lru) differ from every
    stamp a stored page carries, so an old page is rendered again, never taken for fresh.
    """
    return time.time_ns() << 64 | secrets.randbits(64)


def _bump(halves):
    store = _generations_cache()
    now = new_generation()
    store.set_many({_GEN_KEY.format(half): now for half in halves or HALVES}, None)
    if not halves or "articles" in halves:
        store.delete(_DUE_KEY)


_due_sources = []
_due_actions = []


def register_due_source(source, on_due=None):
    """Plug in `source()`: the next datetime at which content appears by itself, or None.

    `on_due()`, when given, runs at the first request after such a moment, before the pages
    are invalidated (it may write, announcing as any write does). The articles app registers
    its scheduled articles and scheduled draft changes here; this module names no app.
    """
    if source not in _due_sources:
        _due_sources.append(source)
    if on_due is not None and on_due not in _due_actions:
        _due_actions.append(on_due)


def _run_due_actions():
    for action in _due_actions:
        action()


def due_changed():
    """A scheduled moment was added or withdrawn without any page changing: read it again."""
    _generations_cache().delete(_DUE_KEY)
    if connection.in_atomic_block:
        transaction.on_commit(lambda: _generations_cache().delete(_DUE_KEY))


def due_check():
    """Run what has come due, for a public read that does not go through the page cache
    (staff, or the cache turned off): one cache read, no query, unless something is due.

    The moment is known once any cached page or `generational` count has read it since the
    last write (the first list page does); this check does not compute it itself, so reads
    outside the cache cost no query more than they did.
    """
    due = _generations_cache().get(_DUE_KEY)
    if due is not None and time.time() >= due:
        current_generations(("articles",))


def _next_due():
    """Epoch seconds when the next scheduled content goes live (inf when none)."""
    moments = [moment for source in _due_sources if (moment := source()) is not None]
    return min(moments).timestamp() if moments else _NEVER


def current_generations(halves):
    store = _generations_cache()
    keys = [_GEN_KEY.format(half) for half in halves]
    if "articles" in halves:
        keys.append(_DUE_KEY)
    found = store.get_many(keys)
    if "articles" in halves:
        due = found.get(_DUE_KEY)
        if due is None:
            due = _next_due()
            if time.time() >= due:  # something came due while the record was gone
                _run_due_actions()  # their writes bump what they change
                found = store.get_many(keys)
                due = _next_due()
            store.set(_DUE_KEY, due, None)
        elif time.time() >= due:
            _run_due_actions()
            bump("articles")  # a scheduled article has just come due
            return current_generations(halves)
    missing = {k: new_generation() for k in keys[: len(halves)] if k not in found}
    if missing:
        for key, value in missing.items():
            store.add(key, value, None)
        found.update(store.get_many(list(missing)))
    return [found.get(_GEN_KEY.format(half), 0) for half in halves]


def _shared_store():
    """True when pages and generations live in one cache (Redis): one round trip per hit."""
    return settings.CACHES.get("generations") == settings.CACHES.get("default")


def _gen_keys(halves):
    keys = [_GEN_KEY.format(half) for half in halves]
    if "articles" in halves:
        keys.append(_DUE_KEY)
    return keys


def _fetch(page_key, gen_keys):
    """{key: value} for the generation keys and the page, in one round trip where possible."""
    if _shared_store():
        return caches["default"].get_many([*gen_keys, page_key])
    found = _generations_cache().get_many(gen_keys)
    entry = caches["default"].get(page_key)
    if entry is not None:
        found[page_key] = entry
    return found


def _lookup(request, halves, page_key):
    """(generations now, cached entry or None), in one cache round trip.

    The generations are read before the view renders, so a write that lands during
    rendering makes the stored page stale at once rather than fresh by mistake.
    """
    early = getattr(request, "page_cache_fetched", None)  # PageCacheMiddleware's, on a miss
    if early is not None and early[:2] == (halves, page_key):
        found = early[2]
    else:
        found = _fetch(page_key, _gen_keys(halves))
    due = found.get(_DUE_KEY)
    cold = any(_GEN_KEY.format(half) not in found for half in halves)
    if cold or ("articles" in halves and (due is None or time.time() >= due)):
        generations = tuple(current_generations(halves))  # the rare slow path
    else:
        generations = tuple(found[_GEN_KEY.format(half)] for half in halves)
    return generations, found.get(page_key)


def _fresh(entry, found):
    """True when `entry` (halves, generations, …) still matches the generations in `found`."""
    halves, generations = entry[0], entry[1]
    if "articles" in halves:
        due = found.get(_DUE_KEY)
        if due is None or time.time() >= due:
            return False  # a scheduled article may be due: let the view's path decide
    return generations == tuple(found.get(_GEN_KEY.format(half)) for half in halves)


def _hit(request, entry):
    _, _, status, headers, content = entry
    response = HttpResponse(b"" if request.method == "HEAD" else content, status=status)
    for name, value in headers:
        response[name] = value
    response["Content-Length"] = str(len(content))  # a HEAD's too: what the GET would send
    response["X-Cache"] = "hit"
    return response


def _cacheable_request(request):
    if not getattr(settings, "PAGE_CACHE", True):
        return False
    if request.method not in ("GET", "HEAD"):
        return False
    if "messages" in request.COOKIES:
        return False  # the page would show (and the cache keep) this reader's messages
    user = getattr(request, "user", None)
    # Logged-in staff may see controls or previews: they never read or fill the public cache.
    return not (user is not None and user.is_authenticated)


def public_page(*halves, params=None):
    """Cache a public view's 200 responses for anonymous readers, keyed by `halves`.

    `params` maps each query parameter the view reads to its normaliser (config/lib/cache_keys.py);
    the view sees only those, normalised, and the cache key is built from them alone.
    """
    spec = PageSpec(tuple(halves) or HALVES, dict(params or {}))

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            _, key, query = page_key(request)
            if query is not None:
                request.GET = query  # what the view reads is exactly what the key holds
            if key is None or not _cacheable_request(request):
                if "articles" in spec.halves:
                    due_check()
                return view(request, *args, **kwargs)
            generations, entry = _lookup(request, spec.halves, key)
            if entry is not None and entry[:2] == (spec.halves, generations):
                return _hit(request, entry)
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
            if _storable(request, response):
                set_response_etag(response)  # computed once here, not on every hit
                headers = [
                    (name, value)
                    for name, value in response.items()
                    if name.lower() not in {"set-cookie", "vary", "x-cache"}
                ]
                entry = (spec.halves, generations, 200, headers, response.content)
                caches["default"].set(key, entry, PAGE_TIMEOUT)
            response["X-Cache"] = "miss"
            return response

        wrapper.page_cache_spec = spec  # PageCacheMiddleware serves hits before the view
        return wrapper

    return decorator


def _storable(request, response):
    """A complete 200 with no cookie, that the view did not keep out, within the size cap."""
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and may_store(request)
        and len(response.content) <= settings.PAGE_CACHE_MAX_BYTES
    )


class PageCacheMiddleware:
    """Serve a cached public page before the session, CSRF, auth and messages layers run.

    Only for requests that carry no session or messages cookie: those readers are
    anonymous without asking the session store, so the stack below has nothing to add to
    a page that `public_page` stored. Everything else (staff, a stale or missing entry, a
    scheduled article that may be due) goes on down to the view, where `public_page`
    decides exactly as before. One cache round trip (all generations and the page); a hit
    skips URL resolution and five middleware, which is most of what separates a cached page
    from the framework's floor. It must sit inside the middleware that set headers on every
    response (security, CSP, Permissions-Policy, X-Frame-Options) and ConditionalGet (304s).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            getattr(settings, "PAGE_CACHE", True)
            and request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and "messages" not in request.COOKIES
        ):
            response = self._cached(request)
            if response is not None:
                return response
        return self.get_response(request)

    def _cached(self, request):
        request.get_host()  # ALLOWED_HOSTS, which CommonMiddleware below would have checked
        spec, key, _ = page_key(request)
        if key is None:
            return None  # not a cached view, or a request it must answer itself: no round trip
        halves = spec.halves
        found = _fetch(key, _gen_keys(halves))
        entry = found.get(key)
        if entry is None or entry[0] != halves or not _fresh(entry, found):
            # `public_page` decides from what was just read, without a second round trip.
            request.page_cache_fetched = (halves, key, found)
            return None
        response = _hit(request, entry)
        patch_vary_headers(response, ("Cookie",))  # as the session layer would have
        return response


class RedisCache(_DjangoRedisCache):
    """Django's Redis cache, keeping one client per connection pool.

    Django builds a new `redis.Redis` for every cache call; with redis-py 8 that construction
    (its response-callback table) cost about as much as the network round trip of a page hit.
    Clients are thread-safe and share the pool, so one per pool is enough.
    """

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusingRedisClient


class _ReusingRedisClient(RedisCacheClient):
    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        clients = self.__dict__.setdefault("_clients", {})
        if index not in clients:
            clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return clients[index]


def generational(key, halves, compute, timeout=PAGE_TIMEOUT):
    """`compute()`, kept in the default cache until a write bumps one of `halves`.

    For reads that are costly at scale but only change on a write (pagination counts, the
    home page's category counts). The key holds the current generations, exactly like a
    cached page, so a value computed before a write is never read after it; a scheduled
    article coming due bumps "articles" too (see `current_generations`). Used whether or not
    the page cache is on: it caches data, not pages, and is never stale.
    """
    generations = current_generations(tuple(halves))
    raw = "|".join([key, *(str(g) for g in generations)])
    full = "data:" + hashlib.sha256(raw.encode()).hexdigest()
    store = caches["default"]
    value = store.get(full)
    if value is None:
        value = compute()
        store.set(full, value, timeout)
    return value

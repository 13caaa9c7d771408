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

One function decides hit, miss and store (`_serve`), with one freshness check (`_fresh`) and
one builder of stored entries (`page_entry`). It is reached from one of two heights, chosen by
the request alone: `PageCacheMiddleware`, high in the stack, for readers who carry no session
cookie (most of them), and the `public_page` wrapper, once authentication is known, for
everyone else who may read the cache.
"""

import hashlib
import secrets
import time
from functools import wraps

from django.conf import settings
from django.core.cache import caches
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


def _gen_keys(halves):
    keys = [_GEN_KEY.format(half) for half in halves]
    if "articles" in halves:
        keys.append(_DUE_KEY)
    return keys


def current_generations(halves, found=None):
    """The generations of `halves` now, as a tuple.

    `found` is what a page lookup already read (`_fetch`): when every generation is there and
    no scheduled article is due, that is the answer with no further round trip. Otherwise (a
    cold or evicted key, an unknown or passed due moment) the slow path fills them in.
    """
    store = _generations_cache()
    if found is None:
        found = store.get_many(_gen_keys(halves))
    if "articles" in halves:
        due = found.get(_DUE_KEY)
        if due is None:
            due = _next_due()
            if time.time() >= due:  # something came due while the record was gone
                _run_due_actions()  # their writes bump what they change
                found = store.get_many(_gen_keys(halves))
                due = _next_due()
            store.set(_DUE_KEY, due, None)
        elif time.time() >= due:
            _run_due_actions()
            bump("articles")  # a scheduled article has just come due
            return current_generations(halves)
    keys = [_GEN_KEY.format(half) for half in halves]
    missing = {key: new_generation() for key in keys if key not in found}
    if missing:
        for key, value in missing.items():
            store.add(key, value, None)
        found = {**found, **store.get_many(list(missing))}
    return tuple(found.get(key, 0) for key in keys)


def _shared_store():
    """True when pages and generations live in one cache (Redis): one round trip per hit."""
    return settings.CACHES.get("generations") == settings.CACHES.get("default")


def _fetch(page_key, gen_keys):
    """{key: value} for the generation keys and the page, in one round trip where possible."""
    if _shared_store():
        return caches["default"].get_many([*gen_keys, page_key])
    found = _generations_cache().get_many(gen_keys)
    entry = caches["default"].get(page_key)
    if entry is not None:
        found[page_key] = entry
    return found


def page_entry(halves, generations, response):
    """What is stored for a page: the generations it was built from, and the response.

    The one place an entry is built; `_fresh` is the one place it is judged.
    """
    headers = [
        (name, value)
        for name, value in response.items()
        if name.lower() not in {"set-cookie", "vary", "x-cache", "content-length"}
    ]
    return (halves, generations, response.status_code, headers, response.content)


def _fresh(entry, halves, generations):
    """True when `entry` was built from exactly the current `generations` of `halves`."""
    return entry is not None and entry[:2] == (halves, generations)


def _hit(request, entry):
    _, _, status, headers, content = entry
    response = HttpResponse(b"" if request.method == "HEAD" else content, status=status)
    for name, value in headers:
        response[name] = value
    response["Content-Length"] = str(len(content))  # a HEAD's too: what the GET would send
    response["X-Cache"] = "hit"
    return response


def _serve(request, spec, key, respond):
    """The page cache's one decision: a fresh entry is the answer; else `respond()`, kept.

    The generations are read before the page renders, so a write that lands during
    rendering makes the stored page stale at once rather than fresh by mistake. One cache
    round trip (generations and page together) unless the slow path has work to do.
    """
    found = _fetch(key, _gen_keys(spec.halves))
    generations = current_generations(spec.halves, found)
    entry = found.get(key)
    if _fresh(entry, spec.halves, generations):
        return _hit(request, entry)
    response = respond()
    if hasattr(response, "render") and callable(response.render):
        response = response.render()
    patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
    if _storable(request, response):
        set_response_etag(response)  # computed once here, not on every hit
        entry = page_entry(spec.halves, generations, response)
        caches["default"].set(key, entry, PAGE_TIMEOUT)
    response["X-Cache"] = "miss"
    return response


def _storable(request, response):
    """A complete 200 with no cookie, that the view did not keep out, within the size cap."""
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and may_store(request)
        and len(response.content) <= settings.PAGE_CACHE_MAX_BYTES
    )


def _may_read(request):
    """A GET or HEAD with the cache on and no messages to show (the page would keep them)."""
    return (
        getattr(settings, "PAGE_CACHE", True)
        and request.method in ("GET", "HEAD")
        and "messages" not in request.COOKIES
    )


_MIDDLEWARE = "config.lib.cache.PageCacheMiddleware"


def _answered_above(request):
    """True for a reader `PageCacheMiddleware` serves: no session cookie, so anonymous.

    A pure function of the request, so the view layer knows the middleware has decided
    without anything handed over on the request.
    """
    return (
        _may_read(request)
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and _MIDDLEWARE in settings.MIDDLEWARE
    )


def _is_staff(request):
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated


def public_page(*halves, params=None):
    """Mark a public view as cached for anonymous readers, keyed by `halves`.

    `params` maps each query parameter the view reads to its normaliser (config/lib/cache_keys.py);
    the view sees only those, normalised, and the cache key is built from them alone. Readers
    without a session cookie are served by `PageCacheMiddleware`; the wrapper serves the
    others, once authentication is known: logged-in staff may see controls or previews, so
    they never read or fill the public cache. Both go through `_serve`.
    """
    spec = PageSpec(tuple(halves) or HALVES, dict(params or {}))

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if _answered_above(request):
                return view(request, *args, **kwargs)
            _, key, query = page_key(request)
            if query is not None:
                request.GET = query  # what the view reads is exactly what the key holds
            if key is None or not _may_read(request) or _is_staff(request):
                if "articles" in spec.halves:
                    due_check()
                return view(request, *args, **kwargs)
            return _serve(request, spec, key, lambda: view(request, *args, **kwargs))

        wrapper.page_cache_spec = spec  # how PageCacheMiddleware knows the view
        return wrapper

    return decorator


class PageCacheMiddleware:
    """The page cache for readers with no session cookie, before the rest of the stack.

    Those readers are anonymous without asking the session store, so the session, CSRF,
    auth and messages layers have nothing to add to a stored page: a hit skips them and URL
    resolution, which is most of what separates a cached page from the framework's floor;
    a miss goes down the stack and is stored on its way back up. It must sit inside the
    middleware that set headers on every response (security, CSP, Permissions-Policy,
    X-Frame-Options) and ConditionalGet (304s).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _answered_above(request):
            request.get_host()  # ALLOWED_HOSTS, which CommonMiddleware below would check
            spec, key, query = page_key(request)
            if key is not None:  # else not a cached view, or a request it answers itself
                request.GET = query
                response = _serve(request, spec, key, lambda: self.get_response(request))
                patch_vary_headers(response, ("Cookie",))  # as the session layer would
                return response
        return self.get_response(request)


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

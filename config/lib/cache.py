"""Caching of public pages that is never stale.

Rendered anonymous GET responses are cached whole, one entry per path and the query
parameters the page reads (config/lib/cache_keys.py: junk parameters make no entries). While
a page renders, its views name what it shows (config/lib/dependencies.py: `article:<id>`,
`model:<id>`, `list:articles`, ...); the entry keeps those keys and the version each had, and
is fresh only while every one still has it. A write gives new versions to exactly the keys of
what it changed (`invalidate`, called by articles/announce.py and models_catalog/announce.py),
so editing one article re-renders that article and the lists that show it, not its siblings.
A page that names nothing depends on every write of its halves ("articles", "catalog"), as
before: that is the safe default for a new page.

Scheduled articles go live without any write: the versions store also holds the next moment
a scheduled article comes due, and the first request after it invalidates what came due. A
due source may bring an action that must run at that moment (scheduled draft changes of a
live article are written over it): the first request after the moment runs it first.

Where the versions live matters with several worker processes: with Redis (REDIS_URL) they
sit beside the pages; without it they are kept in a small file-based cache shared by every
process on the machine ("generations" alias), while pages stay in each process's local
memory. Either way a write in one worker is seen by the next request in any other. A hit
reads the page, the epoch and the due moment in one round trip; only when some write
happened since the entry was stamped is a second read (the versions of its keys) needed,
after which the entry is stamped with the current epoch again.

The cache is bounded: only distinct pages of the site's content get keys (plus search
queries that found something, which readers choose freely), an entry larger than
PAGE_CACHE_MAX_BYTES is not kept, local memory holds at most MAX_ENTRIES entries per process,
and Redis in production runs with `maxmemory` and `allkeys-lru` (README, "Caching"). Anything
may be evicted: a missing version is re-created as a stamp no page carries.

One function decides hit, miss and store (`_serve`), with one freshness check (`_fresh`) and
one builder of stored entries (`page_entry`). It is reached from one of two heights, chosen by
the request alone: `PageCacheMiddleware`, high in the stack, for readers who carry no session
cookie (most of them), and the `public_page` wrapper, once authentication is known, for
everyone else who may read the cache. Responses carry the same keys for an edge cache
(config/lib/edge.py).
"""

import hashlib
import itertools
import time
from dataclasses import dataclass, replace
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers, set_response_etag

from config.lib import dependencies, edge, fragments, render_once, warming
from config.lib.cache_keys import PageSpec, may_store, may_store_not_found, page_key
from config.lib.dependencies import (  # the names other modules use from here
    HALVES,
    bump,
    depends_on,
    due_changed,
    due_check,
    invalidate,
    new_version,
    register_due_source,
)

__all__ = [
    "HALVES",
    "bump",
    "depends_on",
    "due_changed",
    "due_check",
    "invalidate",
    "new_version",
    "register_due_source",
]

PAGE_TIMEOUT = 60 * 60
_NEVER = float("inf")


def current_generations(halves, found=None):
    """The versions of `any:<half>` for `halves`: they change with every write of the half.

    `found` is what a lookup already read. A scheduled article that has come due is
    invalidated first (see `dependencies.check_due`).
    """
    found = found if found is not None else _store().get_many(_lookup_keys(halves))
    if "articles" in halves and dependencies.check_due(found):
        due = found[dependencies.DUE]
        found = {**_store().get_many(_lookup_keys(halves)), dependencies.DUE: due}
    keys = [dependencies.any_key(half) for half in halves]
    return dependencies.versions(keys, found)


def _store():
    return caches["generations"]


def _lookup_keys(halves):
    keys = [dependencies.EPOCH, *(dependencies.stored(dependencies.any_key(h)) for h in halves)]
    if "articles" in halves:
        keys.append(dependencies.DUE)
    return keys


def _fetch(page_key, lookup_keys, also=()):
    """{key: value} for the epoch, the due moment and the page (and `also`, more keys of the
    pages' cache), in one round trip if possible."""
    if dependencies.shares_store():  # one round trip per hit
        return caches["default"].get_many([*lookup_keys, page_key, *also])
    found = _store().get_many(lookup_keys)
    found.update(caches["default"].get_many([page_key, *also]))
    return found


@dataclass(frozen=True)
class Entry:
    """A stored page: the keys it showed, their versions, the epoch it was last checked at."""

    keys: tuple
    versions: tuple
    epoch: int
    status: int
    headers: list
    content: bytes


def page_entry(keys, versions, epoch, response):
    """What is stored for a page. The one place an entry is built; `_fresh` judges it."""
    headers = [
        (name, value)
        for name, value in response.items()
        if name.lower() not in {"set-cookie", "vary", "x-cache", "content-length"}
    ]
    return Entry(keys, versions, epoch, response.status_code, headers, response.content)


def _fresh(entry, epoch, key):
    """True when every key `entry` showed still has the version it was built with.

    No write since the entry's epoch: fresh without reading its keys. Otherwise their
    versions are read (one more round trip) and, when they match, the entry is stamped with
    `epoch` so the next hit is one round trip again.
    """
    if not isinstance(entry, Entry):
        return False
    if entry.epoch == epoch:
        return True
    if dependencies.versions(entry.keys, epoch=epoch) != entry.versions:
        return False
    caches["default"].set(key, replace(entry, epoch=epoch), PAGE_TIMEOUT)
    return True


def _hit(request, entry, key):
    warming.seen(key)
    response = HttpResponse(b"" if request.method == "HEAD" else entry.content, status=entry.status)
    for name, value in entry.headers:
        response[name] = value
    response["Content-Length"] = str(len(entry.content))  # a HEAD's too: what the GET would send
    response["X-Cache"] = "hit"
    return response


@dependencies.remembering()
def _serve(request, spec, key, respond):
    """The page cache's one decision: a fresh entry is the answer; else `respond()`, kept.

    The epoch is read before the page renders and again with the versions of what it showed:
    if a write landed in between, the page is served but not stored (it may show either side
    of the write). One round trip for a hit unless a write happened since it was stamped. The
    versions read are remembered for the render's parts (`remembering`), and the parts it
    builds stored together at its end (`fragments.storing_together`)."""
    if dependencies.planned():
        return _render_ahead(request, spec, key, respond)
    lookup = _lookup_keys(spec.halves)
    found = _fetch(key, lookup)
    if "articles" in spec.halves and dependencies.check_due(found):
        due = found[dependencies.DUE]
        found = {**_fetch(key, lookup), dependencies.DUE: due}  # the due moment just worked out
    epoch = dependencies.current_epoch(found)
    edge_limit = dependencies.seconds_to_due(found) if "articles" in spec.halves else _NEVER
    entry = found.get(key)
    fresh = _fresh(entry, epoch, key)
    claimed = False
    if not fresh and not render_once.not_kept_here(key) and not (claimed := render_once.claim(key)):
        # Another request renders this page (config/lib/render_once.py): its entry, once
        # stored, is the answer.
        waited, epoch, claimed = _await_render(key, lookup, epoch)
        if waited is not None:
            entry, fresh = waited, True
    if fresh:
        response = _hit(request, entry, key)
        edge.limit_age(response, edge_limit)
        return response
    outcome = render_once.NOT_KEPT  # a render that raises: the others render it themselves
    try:
        response, keys = _render(spec, respond)
        outcome = _keep(request, response, key, keys, epoch, edge_limit)
        warming.rendered_for_reader(key, kept=outcome == render_once.KEPT)
    finally:
        if claimed:
            render_once.release(key, outcome)
    response["X-Cache"] = "miss"
    return response


def _render_ahead(request, spec, key, respond):
    """A write's page rendered before it is published (config/lib/warming.py): whatever is
    stored, rendered and held for the write's plan."""
    response, keys = _render(spec, respond)
    _keep(request, response, key, keys, dependencies.current_epoch(), _NEVER)
    return response


def _render(spec, respond):
    """(the response of `respond()`, rendered, the keys of what it showed)."""
    with dependencies.recording() as shown, fragments.storing_together():
        response = respond()
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
    return response, dependencies.page_dependencies(spec.halves, shown)


def _keep(request, response, key, keys, epoch, edge_limit):
    """Store a rendered page when it may be kept, and set the headers that say so.

    render_once.KEPT; LATE when a write landed while it rendered; or NOT_KEPT (not a page
    this cache keeps: an error, no search results, a cookie, too big)."""
    if not _storable(request, response):
        edge.private_headers(response)  # what this cache does not keep, no edge keeps
        return render_once.NOT_KEPT
    edge.public_headers(response, keys)
    set_response_etag(response)  # computed once here, not on every hit
    kept = _store_page(request, key, keys, epoch, response)
    if not kept:
        edge.private_headers(response)  # nor may an edge keep it: a purge may be past
    edge.limit_age(response, edge_limit)  # after storing: each answer works it out
    return render_once.KEPT if kept else render_once.LATE


def _await_render(key, lookup, epoch):
    """(a fresh entry or None, the epoch to stamp a render with, whether this request now
    holds the claim): the entry once the request rendering the page has stored it; else
    None, and this request renders the page: claimed when the claim fell to it, not when
    the page is not kept anyway or the wait ran out."""
    deadline = time.monotonic() + render_once.RENDER_WAIT
    polls = render_once.POLL_SECONDS
    for pause in itertools.chain(polls, itertools.repeat(polls[-1])):  # until a return
        time.sleep(pause)
        found = _fetch(key, lookup, also=[render_once.rendering(key)])
        epoch = dependencies.current_epoch(found)  # read before any render of this request
        if _fresh(found.get(key), epoch, key):
            return found[key], epoch, False
        if render_once.not_kept_here(key) or time.monotonic() >= deadline:
            return None, epoch, False
        if not render_once.claimed_by_someone(found, key) and render_once.claim(key):
            return None, epoch, True  # the last render came too late: this one's turn


def _store_page(request, key, keys, epoch, response):
    """Keep `response` unless a write moved the epoch while it rendered; True when kept.
    With Redis it is remembered with what it shows, for the writes that render it ahead."""
    built = dependencies.versions(keys, epoch=epoch)
    entry = page_entry(keys, built, epoch, response)
    if dependencies.hold({key: entry}, PAGE_TIMEOUT):  # kept when the write's plan is
        return True
    if dependencies.current_epoch() != epoch:  # read after the versions: see dependencies.py
        return False
    if not warming.store(request, key, entry, PAGE_TIMEOUT):
        caches["default"].set(key, entry, PAGE_TIMEOUT)
    return True


def _storable(request, response):
    """A complete 200 with no cookie, that the view did not keep out, within the size cap;
    or a 404 its view said may be kept (`keep_not_found`: a known row, not public yet)."""
    status = response.status_code
    return (
        (status == 200 or (status == 404 and may_store_not_found(request)))
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
                return fragments.call_loudly(view, request, *args, **kwargs)
            _, key, query = page_key(request)
            if query is not None:
                request.GET = query  # what the view reads is exactly what the key holds
            if key is None or not _may_read(request) or _is_staff(request):
                if "articles" in spec.halves:
                    dependencies.due_check()
                response = fragments.call_loudly(view, request, *args, **kwargs)
                edge.private_headers(response)
                return response
            return _serve(
                request, spec, key, lambda: fragments.call_loudly(view, request, *args, **kwargs)
            )

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
        response = self.get_response(request)
        if settings.SESSION_COOKIE_NAME in request.COOKIES and "public" not in response.get(
            "Cache-Control", ""
        ):
            edge.private_headers(response)  # a signed-in reader's page is theirs alone
        return response


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

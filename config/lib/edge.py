"""An edge cache in front of the site (Varnish, a CDN): what it may keep, and its purges.

A public page the page cache serves to anonymous readers carries its dependency keys
(config/lib/dependencies.py) for the edge, each shortened to a token (`surrogate_token`):
`xkey` (Varnish's xkey module, space-separated), `Surrogate-Key` (Fastly, the same) and
`Cache-Tag` (Cloudflare, comma-separated). A page with more keys than fit in
EDGE_KEYS_MAX_LENGTH carries its halves' whole-half keys instead, which every write of the
site purges. `Cache-Control` lets the edge keep it (`s-maxage`) only where purges reach it
(EDGE_PURGE_URLS set); browsers always revalidate (`max-age=0`, ETag). Everything else a
cached view answers without the public cache (logged-in readers, messages, a page not
stored) is `private, no-store`, like the admin and preview pages.

Every write that invalidates keys purges their tokens on each edge in EDGE_PURGE_URLS, once
its transaction commits, through django.tasks (config/lib/tasks.py): asynchronous, retried,
logged, never failing the save; the writing request also tries once itself, bounded by
FIRST_PURGE_TIMEOUT, so the next read after its response is fresh (`purge_later`). The VCL
(config/edge/modelpress.vcl) honours `PURGE` with an `xkey` header from localhost only.
"""

import functools
import hashlib
import logging
import re
import urllib.request

from django.conf import settings
from django.db import transaction
from django.utils.cache import patch_cache_control

from config.lib import dependencies
from config.lib.tasks import enqueue_after_commit, retrying_task

logger = logging.getLogger("modelpress.edge")
HEADERS = {"xkey": " ", "Surrogate-Key": " ", "Cache-Tag": ","}
PURGE_TIMEOUT = 5
FIRST_PURGE_TIMEOUT = 0.3  # the writing request's own attempt (`purge_later`), per edge
PURGE_BATCH = 400  # tokens per PURGE request: 5.2 KB of header (Varnish: http_req_hdr_len)


def surrogate_token(key):
    """A dependency key as a short token the same on the page and in the purge."""
    return hashlib.sha1(key.encode()).hexdigest()[:12]


def _whole_halves():
    keys = [dependencies.any_key(half) for half in dependencies.HALVES]
    return [*keys, *(dependencies.half_key(half) for half in dependencies.HALVES)]


def page_tokens(keys):
    """The tokens a page carries: one per key, or the whole halves' when too many."""
    tokens = [surrogate_token(key) for key in keys]
    if len(" ".join(tokens)) > settings.EDGE_KEYS_MAX_LENGTH:
        tokens = [surrogate_token(key) for key in _whole_halves()]
    return tokens


def in_front():
    """True when an edge cache stands in front of the app: one we purge (EDGE_PURGE_URLS)."""
    return bool(settings.EDGE_PURGE_URLS)


def public_headers(response, keys):
    """Headers of a page the public cache answers: the edge may keep it, purged by `keys`."""
    edge_age = settings.EDGE_MAX_AGE if in_front() else 0
    patch_cache_control(response, public=True, max_age=0, must_revalidate=True, s_maxage=edge_age)
    tokens = page_tokens(keys)
    for name, separator in HEADERS.items():
        response[name] = separator.join(tokens)


def limit_age(response, seconds):
    """An edge may keep a public page `seconds` at most (a scheduled article goes live then:
    it comes due with no write, so no purge would tell the edge)."""
    control = response.get("Cache-Control", "")
    found = re.search(r"s-maxage=(\d+)", control)
    if found and seconds < int(found.group(1)):
        patch_cache_control(response, s_maxage=int(seconds))


def private_headers(response):
    """For a response no shared cache may keep (logged in, a message, not stored)."""
    for name in HEADERS:
        if name in response:
            del response[name]
    if "public" in response.get("Cache-Control", ""):
        del response["Cache-Control"]
    patch_cache_control(response, private=True, no_store=True)


# -- Purges ------------------------------------------------------------------------------------


def _purge(url, tokens, timeout):
    request = urllib.request.Request(url, method="PURGE", headers={"xkey": " ".join(tokens)})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        logger.info("purged %s keys on %s: %s", len(tokens), url, response.status)


@retrying_task(attempts=5, first_delay=10)
def edge_purge(url, tokens):
    """Purge `tokens` on the edge at `url` (Varnish: PURGE with an `xkey` header)."""
    _purge(url, tokens, PURGE_TIMEOUT)


def purge_at_once(url, tokens):
    """One attempt, now, bounded by FIRST_PURGE_TIMEOUT; never raises (the task retries)."""
    try:
        _purge(url, tokens, FIRST_PURGE_TIMEOUT)
    except Exception:  # noqa: BLE001 - logged; the queued task is the purge that counts
        logger.warning("purge of %s keys on %s failed at once; the task retries", len(tokens), url)


def purge_later(keys):
    """Purge `keys` on every configured edge once the transaction commits, twice over.

    The queued task (`edge_purge`) is the purge that counts: run by the worker, retried,
    logged, kept until it succeeds. It runs at the worker's next poll, though, and a reader
    who loads the page between the write's response and that poll would get the old copy
    from the edge. So the request that wrote also tries once itself, as its response is on
    its way (after the commit), waiting FIRST_PURGE_TIMEOUT at most per edge: the writer's
    next request, and anyone's after it, then finds the edge purged. Purging twice is
    harmless; a failed first attempt only leaves the task to do it.
    """
    tokens = sorted({surrogate_token(key) for key in keys})
    for url in settings.EDGE_PURGE_URLS:
        for start in range(0, len(tokens), PURGE_BATCH):
            batch = tokens[start : start + PURGE_BATCH]
            enqueue_after_commit(edge_purge, url, batch)
            transaction.on_commit(functools.partial(purge_at_once, url, batch))


dependencies.on_invalidate(purge_later)

"""Which cache entry a public page request maps to: its path plus the parameters it reads.

Each cached view declares the query parameters it reads and how to normalise them
(`public_page(..., params={"page": page_number()})`). `page_key` is the one function keys
are built with, whichever height the cache is reached from (config/lib/cache.py):

- a parameter the page does not declare is left out of the key and out of what the view
  sees (`request.GET` is replaced by the normalised query), so `?x=1`, `?utm_source=…` or
  3,000 different `?x=N` are one entry with the same content as the bare URL (issue 12);
- declared values are normalised where spelling does not matter: page numbers as plain
  integers (1 is no page), enumerations checked, text with its white space collapsed,
  multi-valued filters stripped, de-duplicated and sorted (compare keeps its order);
- a value past a page's bounds (too long, too many values, a page number of 7 digits) makes
  the request `OutOfBounds`: the view answers it as it always did, and nothing is stored;
- a path that is not the canonical spelling of its URL (`/archive/02024/`) is not stored.

Views add one rule of their own with `do_not_store(request)`: a page that quotes unknown
input back (a notice naming an unknown facet or model) or was clamped (a page past the last)
is served but not kept. So every stored key is a distinct page of the site's content.
"""

import datetime
import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import unquote, urlencode

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import QueryDict
from django.urls import NoReverseMatch, Resolver404, get_script_prefix, resolve, reverse

MAX_PAGE_DIGITS = 6  # page 999,999 at most: 10 million articles at 10 a page


class OutOfBounds(Exception):
    """A query value past what the page accepts: served by the view, never stored."""


@dataclass(frozen=True)
class PageSpec:
    """A cached view: the halves of the site it shows, the query parameters it reads."""

    halves: tuple
    params: dict = field(default_factory=dict)


def page_number(strict=False):
    """`?page=` as the paginator reads it: a whole number past 1; 1 is the bare URL.

    Junk ("abc", "-1", "0") is the first page, as it is to Django's `get_page`; with
    `strict` it is out of bounds instead (the sitemap answers it with a 404).
    """

    def normalise(values):
        raw = values[-1]  # QueryDict.get reads the last value
        if len(raw.lstrip("0")) > MAX_PAGE_DIGITS:
            raise OutOfBounds(raw[:40])
        if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
            if strict:
                raise OutOfBounds(raw[:40])
            return []
        return [str(int(raw))] if int(raw) > 1 else []

    return normalise


def choice(*allowed, default, strict=True):
    """One of `allowed`; the default (or empty) is the bare URL. Others: out of bounds, or
    (not `strict`, for a view that ignores them silently) the default."""

    def normalise(values):
        value = values[-1]
        if value in ("", default):
            return []
        if value in allowed:
            return [value]
        if strict:
            raise OutOfBounds(value[:40])
        return []

    return normalise


def text(max_length):
    """Free text with its white space collapsed; longer than `max_length`: out of bounds."""

    def normalise(values):
        value = " ".join(values[-1].split())
        if len(value) > max_length:
            raise OutOfBounds(value[:40])
        return [value] if value else []

    return normalise


def several(max_count, max_length, ordered=False):
    """Repeated values, stripped and de-duplicated; sorted unless their order matters."""

    def normalise(values):
        kept = list(dict.fromkeys(v.strip() for v in values if v.strip()))
        if len(kept) > max_count or any(len(v) > max_length for v in kept):
            raise OutOfBounds(f"{len(kept)} values")
        return kept if ordered else sorted(kept)

    return normalise


def iso_date():
    """A day `YYYY-MM-DD` (the catalog's `?as_of=`); anything else is out of bounds, so the
    view answers it (a 400 naming the problem) and nothing is stored."""

    def normalise(values):
        value = values[-1].strip()
        if not value:
            return []
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            raise OutOfBounds(value[:40]) from None
        if len(value) != 10 or day.isoformat() != value:
            raise OutOfBounds(value[:40])  # 20240806 or 2024-W32-2: the same day spelt otherwise
        return [value]

    return normalise


def canonical_query(query, params):
    """The urlencoded query string of `params` only, normalised (raises OutOfBounds)."""
    pairs = []
    for name in sorted(params):
        values = query.getlist(name)
        if values:
            pairs += [(name, value) for value in params[name](values)]
    return urlencode(pairs)


def page_key(request):
    """(spec, key, query) for a request to a cached page, built in one place.

    `spec` is None when the path is no cached view or not its canonical spelling; `key` and
    `query` (the QueryDict the view should read) are None when the request is out of bounds.
    """
    spec = view_spec(request.path_info)
    if spec is None:
        return None, None, None
    encoded = ""
    if spec.params and request.META.get("QUERY_STRING"):
        try:
            encoded = canonical_query(request.GET, spec.params)
        except OutOfBounds:
            return spec, None, None
    raw = f"{request.path}?{encoded}" if encoded else request.path
    return spec, "page:" + hashlib.sha256(raw.encode()).hexdigest(), QueryDict(encoded)


def do_not_store(request):
    """Serve this response but keep it out of the page cache (see the module docstring)."""
    request.page_cache_store = False


def may_store(request):
    return getattr(request, "page_cache_store", True)


def keep_not_found(request):
    """This view's 404 is about a row that exists but is not public (a draft's or a scheduled
    article's address), and its view named the keys that would change that: it may be kept
    like a page. Other 404s never are: a made-up address would make an entry each."""
    request.page_cache_not_found = True


def may_store_not_found(request):
    return getattr(request, "page_cache_not_found", False)


def get_page(request, paginator):
    """`paginator.get_page(?page=)`; a page past the last is answered, but not stored."""
    asked = request.GET.get("page")
    page = paginator.get_page(asked)
    if asked is not None and asked != str(page.number):
        do_not_store(request)
    return page


@lru_cache(maxsize=4096)
def view_spec(path_info):
    """The PageSpec of the cached view at `path_info`, or None (remembered: URLs are fixed)."""
    try:
        match = resolve(path_info)
    except Resolver404:
        return None
    spec = getattr(match.func, "page_cache_spec", None)
    if spec is None:
        return None
    try:
        canonical = reverse(match.view_name, args=match.args, kwargs=match.kwargs)
    except NoReverseMatch:
        return None
    if unquote(canonical) != get_script_prefix() + path_info.lstrip("/"):
        return None  # /archive/02024/ is /archive/2024/ spelt another way
    return spec


@receiver(setting_changed)
def _urlconf_changed(*, setting, **kwargs):
    if setting == "ROOT_URLCONF":
        view_spec.cache_clear()

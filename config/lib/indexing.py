"""Site search as a service the apps plug into: what is searchable, and where it is indexed.

Each app registers the kinds of things it makes searchable (`register_kind`): how to turn
primary keys into documents, and how to list every key of that kind. Whoever writes such rows
says so (`changed(kind, pks)`), whichever app the write came from. The index itself is a
backend (`register_backend`): the articles app keeps it in its `SearchEntry` table with the
database's own full-text engine (articles/search/). This module names no app.
"""

import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from itertools import islice

from django.utils.html import strip_tags

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Document:
    """One searchable thing, as plain text in four weights (A title … D body)."""

    kind: str
    object_id: int
    slug: str
    title: str
    subtitle: str
    tags: str
    body: str
    label: str
    date: datetime | None


@dataclass(frozen=True)
class Kind:
    name: str
    # pks -> the documents of those that are searchable now (the others leave the index).
    documents: Callable[[list[int]], Iterable[Document]]
    # Every key of the kind that may be searchable, for a full rebuild.
    all_ids: Callable[[], Iterable[int]]


_kinds: dict[str, Kind] = {}
_backend = None
BATCH = 2000


def register_kind(name, *, documents, all_ids):
    _kinds[name] = Kind(name, documents, all_ids)


def register_backend(backend):
    """`backend` has replace(kind, pks, documents), clear() and count()."""
    global _backend
    _backend = backend


def kinds():
    return list(_kinds)


def changed(kind, pks):
    """Bring the index up to date for these rows of `kind` (written, retagged or deleted)."""
    if _backend is None or kind not in _kinds:
        return
    pks = list(pks)
    for start in range(0, len(pks), BATCH):
        batch = pks[start : start + BATCH]
        _backend.replace(kind, batch, list(_kinds[kind].documents(batch)))


def rebuild():
    """Index everything from scratch; returns how many documents the index holds."""
    if _backend is None:
        return 0
    _backend.clear()
    for kind in _kinds.values():
        ids = iter(kind.all_ids())
        while batch := list(islice(ids, BATCH)):
            _backend.replace(kind.name, [], list(kind.documents(batch)))
    return _backend.count()


def plain(text):
    """Text for the index: no control characters, single spaces."""
    return _SPACE.sub(" ", _CONTROL.sub(" ", text or "")).strip()


@lru_cache(maxsize=64)  # a bulk rebuild meets the same body more than once
def text_of(markup):
    """The words of sanitised HTML, e.g. a rendered body."""
    return plain(html.unescape(strip_tags(markup or "")))

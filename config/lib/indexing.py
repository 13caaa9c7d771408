"""Site search as a service the apps plug into: what is searchable, and where it is indexed.

Each app registers the kinds of things it makes searchable (`register_kind`): how to turn
primary keys into documents, and how to list every key of that kind. Whoever writes such rows
says so (`changed(kind, pks)`), whichever app the write came from. The index itself is a
backend (`register_backend`): the articles app keeps it in its `SearchEntry` table with the
database's own full-text engine (articles/search/). This module names no app.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from html.parser import HTMLParser
from itertools import islice

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


# Elements the renderer adds around prose that are not prose: a heading's "#" permalink, a
# footnote's number and back-link, a model reference's badge ("Mistral AI · open weights"). Indexed,
# they ran into the words beside them ("Mixtral 8x22BMistral AI", "compare# What popular").
# An article's `[[compare:…]]` table is the catalog's data, not the article's words.
NOT_PROSE_CLASSES = frozenset(
    {"heading-anchor", "footnote-ref", "footnote-backref", "badge", "compare-table"}
)
# Elements whose edges separate words; inline ones (a, em, code, mark) do not.
_BLOCKS = frozenset(
    "p div li ul ol h1 h2 h3 h4 h5 h6 table thead tbody tr td th caption pre blockquote "
    "figure figcaption br hr dt dd dl section nav aside header footer details summary".split()
)
_VOID = frozenset("br hr img input meta link source wbr col area base embed track".split())


class _Prose(HTMLParser):
    """The words of sanitised HTML: a space at every block edge, decorations left out."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.skipping = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCKS:
            self.parts.append(" ")
        if tag in _VOID:
            return
        classes = set((dict(attrs).get("class") or "").split())
        if self.skipping or classes & NOT_PROSE_CLASSES:
            self.skipping += 1

    def handle_endtag(self, tag):
        if tag in _BLOCKS:
            self.parts.append(" ")
        if self.skipping and tag not in _VOID:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


@lru_cache(maxsize=64)  # a bulk rebuild meets the same body more than once
def text_of(markup):
    """The prose of sanitised HTML (a rendered body): its words, single-spaced."""
    parser = _Prose()
    parser.feed(markup or "")
    parser.close()
    return plain("".join(parser.parts))

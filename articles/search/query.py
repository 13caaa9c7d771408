"""What a reader typed, reduced to words both engines can take safely."""

import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import mark_safe

MAX_QUERY_LENGTH = 200  # characters kept from the reader's input; the rest is dropped
MAX_WORDS = 12
# Highlight markers: control characters that never survive indexing (`plain`), swapped for
# <mark> only after the text around them has been HTML-escaped.
START, STOP = "\x02", "\x03"

_TOKEN = re.compile(r'"([^"]*)"?|([^\s"]+)')
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class ParsedQuery:
    """The reader's input reduced to plain words: `terms` match as prefixes, `phrases` exactly."""

    terms: tuple = ()
    phrases: tuple = ()
    truncated: bool = False

    def __bool__(self):
        return bool(self.terms or self.phrases)

    def as_fts5(self):
        """An FTS5 MATCH expression; every word is quoted, so no input is read as syntax."""
        parts = [f'"{term}"*' for term in self.terms]
        parts += ['"{}"'.format(" ".join(phrase)) for phrase in self.phrases]
        return " AND ".join(parts)

    def as_tsquery(self):
        """A `to_tsquery` string: `word:*` for terms, `a <-> b` for phrases, all ANDed."""
        parts = [f"{term}:*" for term in self.terms]
        parts += ["({})".format(" <-> ".join(phrase)) for phrase in self.phrases]
        return " & ".join(parts)

    def as_tsquery_words(self):
        """`as_tsquery` without word order: every word of every phrase, ANDed."""
        parts = [f"{term}:*" for term in self.terms]
        parts += [word for phrase in self.phrases for word in phrase]
        return " & ".join(parts)


def parse_query(text):
    """Split input into quoted phrases and bare words, keeping only letters and digits.

    Whatever the input (operators, quotes, SQL, emoji, 10 KB of text), the result holds at
    most MAX_WORDS alphanumeric words, which is what makes it safe to hand to either engine.
    """
    text = text or ""
    truncated = len(text) > MAX_QUERY_LENGTH
    terms, phrases, budget = [], [], MAX_WORDS
    for match in _TOKEN.finditer(text[:MAX_QUERY_LENGTH]):
        quoted, bare = match.groups()
        words = [w.lower() for w in _WORD.findall(quoted if quoted is not None else bare)]
        words = words[:budget]
        budget -= len(words)
        if quoted is not None and len(words) > 1:
            phrases.append(tuple(words))
        else:
            terms.extend(w for w in words if w not in terms)
    return ParsedQuery(tuple(terms), tuple(dict.fromkeys(phrases)), truncated)


def highlighted(text):
    """HTML-escape `text`, then turn the engine's highlight markers into <mark> tags."""
    if not text:
        return ""
    escaped = escape(text).replace(START, "<mark>").replace(STOP, "</mark>")
    return mark_safe(escaped)  # noqa: S308 - escaped above; only our own tags are added

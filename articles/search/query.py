"""What a reader typed, reduced to words both engines can take safely."""

import re
from dataclasses import dataclass, replace

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
    # (term, ((word, ...), ...)): other spellings a term also matches (`with_variants`), each
    # one word or a run of words ("gpt4" is also "gpt 4").
    variants: tuple = ()

    def __bool__(self):
        return bool(self.terms or self.phrases)

    def spellings(self, term):
        """The term's spellings, each a tuple of words: itself first."""
        return ((term,), *dict(self.variants).get(term, ()))

    def as_fts5(self):
        """An FTS5 MATCH expression; every word is quoted, so no input is read as syntax."""
        parts = [
            _any(" OR ", (f'"{" ".join(words)}"*' for words in self.spellings(t)))
            for t in self.terms
        ]
        parts += ['"{}"'.format(" ".join(phrase)) for phrase in self.phrases]
        return " AND ".join(parts)

    def as_tsquery(self):
        """A `to_tsquery` string: `word:*` for terms, `a <-> b` for phrases, all ANDed."""
        parts = [_any(" | ", map(_ts_prefix, self.spellings(t))) for t in self.terms]
        parts += ["({})".format(" <-> ".join(phrase)) for phrase in self.phrases]
        return " & ".join(parts)

    def as_tsquery_words(self):
        """`as_tsquery` without word order: every word of every phrase, ANDed."""
        return " & ".join(self._ts_words())

    def as_tsquery_any(self):
        """Any word of `as_tsquery_words`: a text holding none of them has nothing to mark."""
        return " | ".join(self._ts_words())

    def _ts_words(self):
        """Each term (any of its spellings, as a prefix), then each word of each phrase."""
        parts = [_any(" | ", map(_ts_prefix, self.spellings(t))) for t in self.terms]
        return parts + [word for phrase in self.phrases for word in phrase]

    def with_terms(self, terms):
        """The same query with other words (a spelling suggestion)."""
        return replace(self, terms=tuple(dict.fromkeys(terms)), variants=())


def _any(operator, alternatives):
    alternatives = list(alternatives)
    return alternatives[0] if len(alternatives) == 1 else f"({operator.join(alternatives)})"


def _ts_prefix(words):
    prefix = " <-> ".join([*words[:-1], f"{words[-1]}:*"])
    return f"({prefix})" if len(words) > 1 else prefix


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


def newest_of(rows):
    """(pk, date) rows newest first, as the engines order matches (no date last)."""
    return sorted(rows, key=lambda row: (row[1] is not None, row[1] or 0, row[0]), reverse=True)

"""Finding, counting, ranking and highlighting matches, whichever engine the database has.

Visibility is decided when searching, not when indexing: article hits are filtered through
`Article.objects.published()`, so a scheduled article appears on time and a trashed one never.
"""

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Case, F, OuterRef, Q, Subquery, Value, When

from articles.models import Article, SearchEntry
from articles.models.search import name_key
from articles.search.postgres import PostgresEngine
from articles.search.query import START, highlighted, newest_of
from articles.search.sqlite import SQLiteEngine

# How many matches are ranked and counted. A word found in most bodies ("mixtral" matches
# ~88,000 entries at 100,000 articles) would otherwise be ranked and counted in full on
# every search: the newest MAX_RANKED matches are ranked, and counts stop at MAX_RANKED + 1
# (shown as "1,000+").
MAX_RANKED = 1000
NEWEST_FIRST = (F("date").desc(nulls_last=True), "-pk")  # the `searchentry_date` index
ENGINES = {"postgresql": PostgresEngine(), "sqlite": SQLiteEngine()}


def engine():
    return ENGINES[connection.vendor]


def visible_entries(kind=None):
    """Entries a reader may see: published articles (per the one rule) and catalog entries;
    of one `kind` when given (the catalog's need no check at all).

    Checked per entry, on the article's primary key: a scalar subquery with LIMIT 1, which
    PostgreSQL cannot turn into a hash of every published article's id (10-15 ms at 100,000
    articles), so a search that stops after a few hundred rows pays for those rows only.
    """
    article = SearchEntry.Kind.ARTICLE
    if kind and kind != article:
        return SearchEntry.objects.filter(kind=kind)
    published = Article.objects.published().filter(pk=OuterRef("object_id")).order_by()
    entries = SearchEntry.objects.alias(live_article=Subquery(published.values("pk")[:1]))
    if kind:
        return entries.filter(kind=article, live_article__isnull=False)
    return entries.filter(Q(kind=article, live_article__isnull=False) | ~Q(kind=article))


def find(parsed, kind=None):
    """({kind: matches, exact up to MAX_RANKED}, the entries for `ranked`) for a search.

    Per kind (so that thousands of articles cannot crowd the catalog out), the newest
    MAX_RANKED + 1 visible matches with their dates, in one query each: how many there are
    is the kind's count ("1,000+" past MAX_RANKED), and the newest MAX_RANKED of the kinds
    asked for are what gets ranked. A quoted phrase uses the engine's bounded window of
    phrase matches instead (`phrase_window`), counted the same way.

    The ids are read first, then ranked by id (`engine().candidates`): as a subquery,
    PostgreSQL's planner misjudged how many rows it yields and ranked every entry in the
    index before joining (60 ms for 235 matches among 11,000 entries).
    """
    by_kind = {k: visible_entries(k) for k in SearchEntry.Kind.values}
    shown = [k for k in by_kind if not kind or k == kind]
    if parsed.phrases and engine().phrase_window:
        counts, matches = {}, []
        for entry_kind, entries in by_kind.items():
            found = engine().phrase_window(entries, parsed, NEWEST_FIRST, entry_kind)
            counts[entry_kind] = len(found)
            matches += found[:MAX_RANKED] if entry_kind in shown else []
        ids = [pk for pk, _ in newest_of(matches)[:MAX_RANKED]]
    else:
        counts, ids = engine().newest(by_kind, parsed, NEWEST_FIRST, MAX_RANKED + 1, shown)
    return counts, engine().candidates(ids[:MAX_RANKED], parsed)


def ranked(entries, parsed, first=()):
    """`entries` (from `candidates`) best first, annotated with `rank`: the ids in `first`
    (a model named exactly, `named_models`), then titles holding the reader's words in their
    order ("mixture of experts" puts the explainer above models that mention it), then rank.

    No highlights here: a database computes them before sorting, so for every candidate
    rather than for the page shown; `hits` adds them to one page's rows.
    """
    entries = engine().ranked(entries, parsed)
    cases = [When(pk__in=list(first), then=Value(2))] if first else []
    if len(parsed.terms) > 1:  # the reader's words, in their order, in a title
        cases.append(When(title__iregex=_in_order(parsed), then=Value(1)))
    named = Case(*cases, default=Value(0)) if cases else Value(0)
    newest_first = F("date").desc(nulls_last=True)
    return entries.annotate(named=named).order_by("-named", "-rank", newest_first, "pk")


def _in_order(parsed):
    """A regular expression (the same on both databases) for the terms in their order, any
    spelling of each, anything but letters and digits between: "open weights license" is in
    "What an open-weights licence actually lets you do"."""
    spellings = [
        "(?:{})".format("|".join(r"\W+".join(words) for words in parsed.spellings(term)))
        for term in parsed.terms
    ]
    return r"\W+".join(spellings)


_NAME_KEY = re.compile(r"[^0-9a-z]+")


def named_models(text):
    """Ids of the catalog entries whose name is exactly what the reader typed, give or take
    case, spaces and punctuation ("gpt4o" names GPT-4o, "llama 3.1 405b" Llama 3.1 405B)."""
    key = _NAME_KEY.sub("", (text or "").lower())
    if not key:
        return []
    # An index lookup (`searchentry_name_key`): the expression is the index's own.
    entries = SearchEntry.objects.alias(name_key=name_key())
    entries = entries.filter(kind=SearchEntry.Kind.MODEL, name_key=key)
    return list(entries.values_list("pk", flat=True)[:5])


def hits(entries, parsed):
    """`Hit`s for `entries` (one page of `ranked`), in order, highlighted in one query (two
    on PostgreSQL when a long body's excerpt window held no match)."""
    entries = list(entries)
    if not entries:
        return []
    marked = engine().highlights(entries, parsed)
    return [Hit.from_entry(entry, *marks) for entry, marks in zip(entries, marked, strict=True)]


def shown_count(n):
    """A count as the page shows it: exact up to MAX_RANKED, then "1,000+"."""
    return n if n <= MAX_RANKED else f"{MAX_RANKED:,}+"


@dataclass
class Hit:
    """One result as the template shows it; every *_html value is escaped but for <mark>."""

    entry: SearchEntry
    title_html: str
    subtitle_html: str
    excerpt_html: str

    @classmethod
    def from_entry(cls, entry, title_hl="", subtitle_hl="", body_hl=""):
        body = body_hl or ""
        return cls(
            entry=entry,
            title_html=highlighted(title_hl or entry.title),
            subtitle_html=highlighted(subtitle_hl or entry.subtitle),
            excerpt_html=highlighted(excerpt(body)) if START in body else "",
        )


_ELLIPSES = re.compile(r"(?:\s*(?:…|\.\.\.)\s*)+")


def excerpt(snippet):
    """An engine's snippet as readers get it: "… passage … passage …", one ellipsis at each
    cut. SQLite marks its own cuts at the ends, PostgreSQL only between fragments."""
    inner = _ELLIPSES.sub(" … ", snippet).strip(" …")
    return f"… {inner} …" if inner else ""

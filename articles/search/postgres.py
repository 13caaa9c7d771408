"""PostgreSQL's engine: a weighted tsvector per entry with a GIN index (migration 0004)."""

import re

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVectorField,
    TrigramSimilarity,
)
from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, F, Func, Lookup, Q

from articles.models import SearchEntry, SearchWord
from articles.search.query import START, STOP

CONFIG = "english"
# PostgreSQL checks a quoted phrase's word order row by row (its GIN index only knows which
# words an entry holds), so a rare phrase of common words would be verified against most of
# the archive (0.7 s at 100,000 articles). Phrases are looked for among this many of the
# newest entries holding all their words. SQLite's FTS5 index knows positions: no bound.
PHRASE_WINDOW = 5_000
# A body's excerpt is looked for in this many characters of it, from EXCERPT_LEAD before the
# first place that holds one of the reader's words (`PostgresEngine.highlights`).
EXCERPT_WINDOW = 1_500
EXCERPT_LEAD = 200
# A catalog entry's vector, as the catalog's own index holds it (`searchentry_model_words`,
# migration 0023): an expression, so that PostgreSQL keeps statistics of the catalog's words
# apart from the articles'.
MODEL_WORDS = Func(
    F("search_vector"),
    template="COALESCE(%(expressions)s, ''::tsvector)",
    output_field=SearchVectorField(),
)


def _with_words(entries, kind):
    """`entries` with their vector as `words`: for the catalog, as its own index holds it."""
    return entries.alias(
        words=MODEL_WORDS if kind == SearchEntry.Kind.MODEL else F("search_vector")
    )


class AnyOf(Lookup):
    """`column = ANY(%s)`, the list as one array parameter.

    `pk__in=ids` writes one placeholder per id, and psycopg's client-side binding splits
    and fills a query of 1,000 placeholders in Python (about 5 ms, more than PostgreSQL takes
    to rank the rows); the array is sent as one literal."""

    lookup_name = "any_of"

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        ids = getattr(self.rhs, "value", self.rhs)  # a filter() argument arrives as a Value
        # One string, not a list: psycopg would dump a list element by element in Python.
        literal = "{" + ",".join(str(int(pk)) for pk in ids) + "}"
        return f"{lhs} = ANY(%s::bigint[])", (*params, literal)


def _tsquery(parsed):
    return SearchQuery(parsed.as_tsquery(), search_type="raw", config=CONFIG)


class PostgresEngine:
    def matching(self, entries, parsed, kind=None):
        """`entries` (of `kind`, when one) holding `parsed`; the catalog's matched through the
        expression its own index holds (`MODEL_WORDS`)."""
        return _with_words(entries, kind).filter(words=_tsquery(parsed))

    def phrase_window(self, entries, parsed, newest_first, kind=None):
        """(pk, date) of the entries among the newest PHRASE_WINDOW holding every word of
        `parsed` that also hold its phrases in order, checked on the same visit."""
        words = SearchQuery(parsed.as_tsquery_words(), search_type="raw", config=CONFIG)
        in_order = ExpressionWrapper(Q(words=_tsquery(parsed)), output_field=BooleanField())
        window = (
            _with_words(entries, kind)
            .filter(words=words)
            .annotate(in_order=in_order)
            .order_by(*newest_first)
            .values_list("pk", "date", "in_order")[:PHRASE_WINDOW]
        )
        return [(pk, date) for pk, date, ok in window if ok]

    def newest(self, by_kind, parsed, newest_first, limit, shown):
        """({kind: how many of its newest `limit` matches}, the ids of the newest `limit`
        matches of the kinds in `shown`), for {kind: that kind's visible entries}: one
        statement, its dates never leave the database.

        Articles: the planner walks `searchentry_date` until it has `limit` matches (a
        common word) or sorts a bitmap of the matches (a rare one). The catalog's entries
        (a few thousand) are all read through their own GIN index
        (`searchentry_model_words`, migrations 0020 and 0023), then sorted: left to choose, the
        planner walked the newest-first index of every entry, articles included, checking
        each catalog entry's vector on the way (60 ms at 100,000 articles, against 4).
        """
        parts, params, names = [], [], {}
        for n, (kind, entries) in enumerate(by_kind.items()):
            rows = self.matching(entries, parsed, kind).values_list("pk", "date")
            if kind == SearchEntry.Kind.MODEL:
                sql, part = rows.order_by().query.sql_with_params()
                sql = (
                    f"WITH found AS MATERIALIZED ({sql}) "
                    "SELECT * FROM found ORDER BY 2 DESC NULLS LAST, 1 DESC LIMIT %s"
                )
                part = [*part, limit]
            else:
                sql, part = rows.order_by(*newest_first)[:limit].query.sql_with_params()
            names[kind] = f"found_{n}"
            parts.append(f"found_{n} (pk, date) AS MATERIALIZED ({sql})")
            params += part
        counts = ", ".join(f"(SELECT count(*) FROM {name})" for name in names.values())
        union = " UNION ALL ".join(f"SELECT pk, date FROM {names[kind]}" for kind in shown)
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH {', '.join(parts)} SELECT {counts}, ARRAY(SELECT pk FROM ({union}) AS u "
                "ORDER BY date DESC NULLS LAST, pk DESC LIMIT %s)",
                [*params, limit],
            )
            *numbers, ids = cursor.fetchone()
        return dict(zip(names, numbers, strict=True)), ids

    def candidates(self, ids, parsed):
        # `newest` has already matched and checked visibility: look the rows up by id.
        return SearchEntry.objects.filter(AnyOf(F("pk"), ids))

    def ranked(self, entries, parsed):
        # The body comes along (only the page's rows are read): `highlights` sends it back.
        rank = SearchRank(F("search_vector"), _tsquery(parsed))
        return entries.annotate(rank=rank).defer("search_vector")

    def highlights(self, entries, parsed):
        """[(title, subtitle, body excerpt)] marked up, for `entries` (rows of `ranked`, with
        their text), in order, in one query: the text is sent, no row is read again.

        ts_headline parses all the text it is given (about 1 ms for a 10 KB article), so a
        body's excerpt is looked for in EXCERPT_WINDOW characters of it around the first
        place that holds one of the reader's words (`_window`). In the whole body only when
        that window holds no match and the body's own part of the entry's vector (weight D)
        holds one of the words (a word found only in another form: the index matches stems,
        the window looks for the words as typed); a body that holds none (the entry matched
        by its title or tags) has nothing to mark, and its whole text is never parsed.
        """
        windows = [_window(entry.body, parsed) for entry in entries]
        with connection.cursor() as cursor:
            cursor.execute(
                _HIGHLIGHTS_SQL,
                {
                    "whole": _options(HighlightAll=True),
                    "excerpt": _options(**_EXCERPT),
                    "start": START,
                    "ids": [entry.pk for entry in entries],
                    "titles": [entry.title for entry in entries],
                    "subtitles": [entry.subtitle for entry in entries],
                    "windows": [text for text, _ in windows],
                    "cut": [cut for _, cut in windows],
                    "query": parsed.as_tsquery(),
                    "any": parsed.as_tsquery_any(),
                },
            )
            return [tuple(row) for row in cursor.fetchall()]

    def indexed(self, pks):
        """Fill the vectors of freshly inserted entries (one statement per batch)."""
        with connection.cursor() as cursor:
            cursor.execute(_BULK_VECTOR_SQL, [pks, pks])

    def forget(self, pks):
        """Entries are about to be deleted: the vector goes with the row."""

    def similar_words(self, term, limit=50):
        """Words of the word list most like `term` by pg_trgm (its GIN index, migration 0014).

        pg_trgm's default threshold (0.3) misses a swapped pair of letters in a short word
        ("licnese" and "licence" share 0.23); difflib makes the final choice (spelling.py).
        """
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('pg_trgm.similarity_threshold', %s, false)", ["0.2"])
        return list(
            SearchWord.objects.filter(word__trigram_similar=term)
            .annotate(similarity=TrigramSimilarity("word", term))
            .order_by("-similarity", "word")
            .values_list("word", flat=True)[:limit]
        )

    def clear(self):
        """The whole index is about to be deleted: nothing of its own to clear."""


_EXCERPT = {"MaxFragments": 2, "MaxWords": 30, "MinWords": 12, "FragmentDelimiter": " … "}
# One row per entry shown, in order. The whole body is read (from the table, by id) and
# parsed only where the window was cut, holds no mark, and the body holds one of the words.
# OFFSET 0 keeps the window's headline a subquery, computed once: inlined, the CASE would
# compute it again for its answer.
_HIGHLIGHTS_SQL = f"""
SELECT ts_headline('{CONFIG}', t.title, query, %(whole)s),
       ts_headline('{CONFIG}', t.subtitle, query, %(whole)s),
       CASE WHEN NOT t.cut OR strpos(w.excerpt, %(start)s) > 0 THEN w.excerpt
            WHEN ts_filter(e.search_vector, '{{d}}') @@ to_tsquery('{CONFIG}', %(any)s)
            THEN ts_headline('{CONFIG}', e.body, query, %(excerpt)s)
            ELSE w.excerpt END
FROM unnest(%(ids)s::bigint[], %(titles)s::text[], %(subtitles)s::text[], %(windows)s::text[],
            %(cut)s::boolean[]) WITH ORDINALITY AS t (id, title, subtitle, body, cut, n)
     CROSS JOIN to_tsquery('{CONFIG}', %(query)s) AS query
     CROSS JOIN LATERAL (SELECT ts_headline('{CONFIG}', t.body, query, %(excerpt)s) OFFSET 0)
         AS w (excerpt)
     LEFT JOIN {SearchEntry._meta.db_table} AS e ON e.id = t.id
ORDER BY t.n
"""


def _options(**options):
    """ts_headline's options, marks included, as one string (as SearchHeadline writes it)."""
    options = {"StartSel": START, "StopSel": STOP, **options}
    return ", ".join(
        connection.ops.compose_sql(f"{name}=%s", [value]) for name, value in options.items()
    )


def _window(body, parsed):
    """(the part of `body` its excerpt is looked for in, whether that is less than all of it):
    EXCERPT_WINDOW characters from EXCERPT_LEAD before the first of the reader's phrases as
    typed, or else the first word that starts with one of the reader's words, cut at spaces;
    from the start when none does. (A phrase's words one by one come earlier in most bodies
    than the phrase: a window there holds no match, and the whole body was parsed.)"""
    body = body or ""
    if len(body) <= EXCERPT_WINDOW:
        return body, False
    words = {
        word for term in parsed.terms for spelling in parsed.spellings(term) for word in spelling
    }
    words |= {word for phrase in parsed.phrases for word in phrase}
    phrases = [r"\W+".join(map(re.escape, phrase)) for phrase in parsed.phrases]
    first = _first(body, phrases) or _first(body, map(re.escape, sorted(words)))
    start = max(0, first.start() - EXCERPT_LEAD) if first else 0
    if start:
        start = body.find(" ", start, first.start()) + 1 or start
    end = start + EXCERPT_WINDOW
    if end < len(body) and (space := body.rfind(" ", start, end)) > start:
        end = space
    return body[start:end], True


def _first(body, patterns):
    """The first match in `body` of one of `patterns` at the start of a word, or None."""
    patterns = list(patterns)
    return re.search(r"\b(?:{})".format("|".join(patterns)), body, re.I) if patterns else None


# Words are split where anything but a letter or digit stands, before PostgreSQL's parser
# sees them, as SQLite's tokenizer and query.py split them: left to it, "GPT-4" is "gpt" and
# the integer "-4", and "3.5" one number, so "gpt4" or "claude 3.5" typed could not match.
def _words(column):
    return f"regexp_replace(coalesce({column}, ''), '[^[:alnum:]]+', ' ', 'g')"


# The body's tsvector is computed once per distinct body in the batch (`a || b` of weighted
# vectors equals the vector of the whole), which is what makes a generated site of 100,000
# articles index in seconds rather than minutes. The digest is compared as a uuid (bytes),
# not as text: text comparison goes through the collation, slow on thousands of 10 KB bodies.
_BULK_VECTOR_SQL = f"""
WITH bodies AS MATERIALIZED (
    SELECT digest, setweight(to_tsvector('{CONFIG}', {_words("body")}), 'D') AS vector
    FROM (SELECT DISTINCT ON (digest) md5(coalesce(body, ''))::uuid AS digest, body
          FROM articles_searchentry WHERE id = ANY(%s) ORDER BY digest) AS distinct_bodies
)
UPDATE articles_searchentry AS e SET search_vector =
    setweight(to_tsvector('{CONFIG}', {_words("e.title")}), 'A')
    || setweight(to_tsvector('{CONFIG}', {_words("e.subtitle")}), 'B')
    || setweight(to_tsvector('{CONFIG}', {_words("e.tags")}), 'C')
    || bodies.vector
FROM bodies
WHERE e.id = ANY(%s) AND md5(coalesce(e.body, ''))::uuid = bodies.digest
"""

"""PostgreSQL's engine: a weighted tsvector per entry with a GIN index (migration 0004)."""

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    TrigramSimilarity,
)
from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, F, Q

from articles.models import SearchEntry, SearchWord
from articles.search.query import START, STOP

CONFIG = "english"
# PostgreSQL checks a quoted phrase's word order row by row (its GIN index only knows which
# words an entry holds), so a rare phrase of common words would be verified against most of
# the archive (0.7 s at 100,000 articles). Phrases are looked for among this many of the
# newest entries holding all their words. SQLite's FTS5 index knows positions: no bound.
PHRASE_WINDOW = 5_000


def _tsquery(parsed):
    return SearchQuery(parsed.as_tsquery(), search_type="raw", config=CONFIG)


def _headline(field, query, **options):
    if "max_fragments" in options:
        options["fragment_delimiter"] = " … "
    return SearchHeadline(field, query, config=CONFIG, start_sel=START, stop_sel=STOP, **options)


class PostgresEngine:
    def matching(self, entries, parsed):
        return entries.filter(search_vector=_tsquery(parsed))

    def phrase_window(self, entries, parsed, newest_first):
        """(pk, date) of the entries among the newest PHRASE_WINDOW holding every word of
        `parsed` that also hold its phrases in order, checked on the same visit."""
        words = SearchQuery(parsed.as_tsquery_words(), search_type="raw", config=CONFIG)
        in_order = ExpressionWrapper(Q(search_vector=_tsquery(parsed)), output_field=BooleanField())
        window = (
            entries.filter(search_vector=words)
            .annotate(in_order=in_order)
            .order_by(*newest_first)
            .values_list("pk", "date", "in_order")[:PHRASE_WINDOW]
        )
        return [(pk, date) for pk, date, ok in window if ok]

    def candidates(self, ids, parsed):
        # `newest` has already matched and checked visibility: look the rows up by id.
        return SearchEntry.objects.filter(pk__in=ids)

    def ranked(self, entries, parsed):
        return entries.annotate(rank=SearchRank(F("search_vector"), _tsquery(parsed)))

    def highlights(self, ids, parsed):
        query = _tsquery(parsed)
        return SearchEntry.objects.filter(pk__in=ids).annotate(
            title_hl=_headline("title", query, highlight_all=True),
            subtitle_hl=_headline("subtitle", query, highlight_all=True),
            body_hl=_headline("body", query, max_fragments=2, max_words=30, min_words=12),
        )

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

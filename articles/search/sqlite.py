"""SQLite's engine: an FTS5 table with the porter stemmer, joined on rowid (migration 0004)."""

from django.db import connection
from django.db.models import BooleanField, F
from django.db.models.expressions import RawSQL

from articles.models import SearchEntry
from articles.search.query import START, STOP, newest_of

FTS_TABLE = "articles_searchentry_fts"
WORDS_TABLE = "articles_searchword_trgm"  # the word list by trigrams (migration 0014)
FTS_WEIGHTS = "10.0, 4.0, 2.0, 1.0"  # title, subtitle, tags, body: the A-D of PostgreSQL
_CHUNK = 500  # bound on SQL parameters per statement


def _fts_rows(ids, parsed):
    """Entries whose id is in `ids`, joined to their FTS5 row for the MATCH.

    FTS5's ranking and highlighting functions only work in a query that has the MATCH; the
    `+ 0` keeps SQLite from handing `ids` to FTS5 as rowid lookups, one MATCH each (7 s for
    1,000 ids), and makes them a filter on the single pass over the matches.
    """
    match = RawSQL(f"{FTS_TABLE} MATCH %s", [parsed.as_fts5()], output_field=BooleanField())
    return (
        SearchEntry.objects.filter(fts__isnull=False)
        .filter(match)
        .alias(fts_id=F("fts__pk") + 0)
        .filter(fts_id__in=ids)
    )


class SQLiteEngine:
    phrase_window = None  # FTS5 checks word order in its index: phrases need no window

    def matching(self, entries, parsed):
        """The match as a standalone `id + 0 IN (SELECT rowid … MATCH …)`.

        It stays valid inside a subquery (where Django renames the tables). The `+ 0` stops
        SQLite driving the query from the list of matches (one row lookup per match, then a
        sort of all of them: 0.7 s for a word in 88,000 entries) and makes the list a
        membership test, so an index already in the wanted order (`searchentry_date`) is
        walked and the walk stops at the LIMIT (20 ms).
        """
        rowids = RawSQL(
            f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [parsed.as_fts5()]
        )
        return entries.alias(fts_probe=F("pk") + 0).filter(fts_probe__in=rowids)

    def newest(self, by_kind, parsed, newest_first, limit, shown):
        """({kind: how many of its newest `limit` matches}, the ids of the newest `limit`
        matches of the kinds in `shown`), for {kind: that kind's visible entries}."""
        counts, matches = {}, []
        for kind, entries in by_kind.items():
            rows = self.matching(entries, parsed).order_by(*newest_first)
            found = list(rows.values_list("pk", "date")[:limit])
            counts[kind] = len(found)
            matches += found if kind in shown else []
        return counts, [pk for pk, _ in newest_of(matches)[:limit]]

    def candidates(self, ids, parsed):
        return _fts_rows(ids, parsed)  # the ranking functions need the MATCH again

    def ranked(self, entries, parsed):
        # Not the body: SQLite's sorter would carry each candidate's whole row.
        rank = RawSQL(f"-bm25({FTS_TABLE}, {FTS_WEIGHTS})", [])
        return entries.annotate(rank=rank).defer("body", "search_vector")

    def highlights(self, entries, parsed):
        """[(title, subtitle, body excerpt)] marked up, for `entries` (rows of `ranked`), in
        order, in one query."""
        ids = [entry.pk for entry in entries]
        marks = [START, STOP]
        rows = _fts_rows(ids, parsed).annotate(
            title_hl=RawSQL(f"highlight({FTS_TABLE}, 0, %s, %s)", marks),
            subtitle_hl=RawSQL(f"highlight({FTS_TABLE}, 1, %s, %s)", marks),
            body_hl=RawSQL(f"snippet({FTS_TABLE}, 3, %s, %s, %s, 28)", [*marks, "…"]),
        )
        rows = rows.values_list("pk", "title_hl", "subtitle_hl", "body_hl")
        found = {pk: marks for pk, *marks in rows}
        return [found.get(pk, ("", "", "")) for pk in ids]

    def indexed(self, pks):
        """Copy freshly inserted entries into the FTS5 table.

        OR REPLACE: the FTS5 table has no foreign key, so a flush (tests, `restore
        --replace`) can leave rows behind whose rowid a new entry takes again.
        """
        with connection.cursor() as cursor:
            for start in range(0, len(pks), _CHUNK):
                chunk = pks[start : start + _CHUNK]
                cursor.execute(
                    f"INSERT OR REPLACE INTO {FTS_TABLE} (rowid, title, subtitle, tags, body) "
                    "SELECT id, title, subtitle, tags, body FROM articles_searchentry "
                    f"WHERE id IN ({', '.join(['%s'] * len(chunk))})",
                    chunk,
                )

    def forget(self, pks):
        """Entries are about to be deleted: their FTS5 rows go first (no foreign key)."""
        with connection.cursor() as cursor:
            for start in range(0, len(pks), _CHUNK):
                chunk = pks[start : start + _CHUNK]
                cursor.execute(
                    f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({', '.join(['%s'] * len(chunk))})",
                    chunk,
                )

    def similar_words(self, term, limit=50):
        """Words of the word list sharing the most trigrams with `term` (FTS5 trigram table).

        `term` is letters and digits only (query.py), so quoting each trigram is enough.
        """
        trigrams = sorted({term[i : i + 3] for i in range(len(term) - 2)})
        if not trigrams:
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT word FROM {WORDS_TABLE} WHERE {WORDS_TABLE} MATCH %s "
                "ORDER BY rank LIMIT %s",
                [" OR ".join(f'"{t}"' for t in trigrams), limit],
            )
            return [row[0] for row in cursor.fetchall()]

    def clear(self):
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS_TABLE}")

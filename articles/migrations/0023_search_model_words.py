"""The catalog's full-text index on an expression of its own, so that it has statistics.

Migration 0020 gave the catalog's entries a partial GIN index on `search_vector`. PostgreSQL
keeps statistics per column, not per partial index: it judged how many catalog entries hold
a word by how many entries of the whole table do, articles included. At 100,000 articles it
expected 7,855 of the 10,000 catalog entries to hold "mixtral" (2,385 do) and read all 10,000
in `(kind, object_id)` order instead of using the index (14 ms against 4.4).

An index on an expression gets the expression's own statistics, gathered over the rows its
predicate admits; `COALESCE(search_vector, '')` is the vector itself under another name, and
the catalog's search matches that expression (articles/search/postgres.py `MODEL_WORDS`).
PostgreSQL only: SQLite's FTS5 table is one index for all entries.
"""

from django.db import migrations

OLD = (
    "CREATE INDEX IF NOT EXISTS searchentry_model_vector ON articles_searchentry "
    "USING gin (search_vector) WHERE kind = 'model'"
)
NEW = (
    "CREATE INDEX IF NOT EXISTS searchentry_model_words ON articles_searchentry "
    "USING gin ((COALESCE(search_vector, ''::tsvector))) WHERE kind = 'model'"
)


def swap(create, drop):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(create)
            schema_editor.execute(f"DROP INDEX IF EXISTS {drop}")
            schema_editor.execute("ANALYZE articles_searchentry")

    return run


class Migration(migrations.Migration):
    dependencies = [("articles", "0022_search_vector_inline")]

    operations = [
        migrations.RunPython(
            swap(NEW, "searchentry_model_vector"),
            swap(OLD, "searchentry_model_words"),
            elidable=False,
        )
    ]

"""The catalog's own full-text index (articles/search/postgres.py `newest`).

A catalog entry's search runs over a few thousand rows; through the GIN index of every
entry it first gathered the matches among 100,000 articles too (14 ms for a common word),
then threw them away. PostgreSQL only: SQLite's FTS5 table is one index for all entries.
"""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS searchentry_model_vector ON articles_searchentry "
            "USING gin (search_vector) WHERE kind = 'model'"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS searchentry_model_vector")


class Migration(migrations.Migration):
    dependencies = [("articles", "0019_search_name_key")]

    operations = [migrations.RunPython(create, drop, elidable=False)]

"""An index for "the newest matches first" (articles/search.py `newest`).

Written per database, not in Meta.indexes: PostgreSQL needs `DESC NULLS LAST` to serve
`ORDER BY date DESC NULLS LAST` from the index, and SQLite refuses NULLS LAST in an index
(its NULLs sort first, so plain DESC already puts them last).
"""

from django.db import migrations

COLUMNS = {
    "postgresql": "date DESC NULLS LAST, id DESC",
    "sqlite": "date DESC, id DESC",
}


def create(apps, schema_editor):
    columns = COLUMNS.get(schema_editor.connection.vendor)
    if columns:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS searchentry_date ON articles_searchentry ({columns})"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor in COLUMNS:
        schema_editor.execute("DROP INDEX IF EXISTS searchentry_date")


class Migration(migrations.Migration):
    dependencies = [("articles", "0008_live_article_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]

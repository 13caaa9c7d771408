"""An index in the catalog's default order (newest release first, then name).

The model and compare pages offer the 50 newest models to compare with
(`compare_choices`); without it, each request sorted all 10,000 models.
Written per database, not in Meta.indexes: PostgreSQL needs `DESC NULLS LAST` to serve
`ORDER BY release_date DESC NULLS LAST` from the index, and SQLite refuses NULLS LAST in
an index (its NULLs sort first, so plain DESC already puts them last).
"""

from django.db import migrations

COLUMNS = {
    "postgresql": "release_date DESC NULLS LAST, name, id",
    "sqlite": "release_date DESC, name, id",
}


def create(apps, schema_editor):
    columns = COLUMNS.get(schema_editor.connection.vendor)
    if columns:
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS aimodel_release_order "
            f"ON models_catalog_aimodel ({columns})"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor in COLUMNS:
        schema_editor.execute("DROP INDEX IF EXISTS aimodel_release_order")


class Migration(migrations.Migration):
    dependencies = [("models_catalog", "0003_aimodel_openness_index")]

    operations = [migrations.RunPython(create, drop, elidable=False)]

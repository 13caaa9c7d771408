"""Site search: the `SearchEntry` table plus each database's own full-text index.

PostgreSQL gets a GIN index on the weighted `search_vector`; SQLite gets an FTS5 table with
the porter stemmer, joined to `SearchEntry` on rowid. articles/search.py keeps both current.
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

POSTGRES_FORWARD = (
    "CREATE INDEX articles_searchentry_vector ON articles_searchentry USING gin (search_vector)"
)
POSTGRES_BACKWARD = "DROP INDEX IF EXISTS articles_searchentry_vector"
SQLITE_FORWARD = (
    "CREATE VIRTUAL TABLE articles_searchentry_fts USING fts5("
    "title, subtitle, tags, body, tokenize = 'porter unicode61 remove_diacritics 2')"
)
SQLITE_BACKWARD = "DROP TABLE IF EXISTS articles_searchentry_fts"


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD)


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_BACKWARD)


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0003_editorial_groups"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchEntry",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("article", "Article"), ("model", "Model")], max_length=10)),
                ("object_id", models.PositiveBigIntegerField()),
                ("slug", models.SlugField(max_length=200)),
                ("title", models.CharField(help_text="Weight A: article title, model name.", max_length=300)),
                ("subtitle", models.TextField(help_text="Weight B: dek; organisation and summary.")),
                ("tags", models.TextField(blank=True, help_text="Weight C: tag names.")),
                ("body", models.TextField(blank=True, help_text="Weight D: article text, model description.")),
                ("label", models.CharField(blank=True, help_text="Category or organisation.", max_length=200)),
                ("date", models.DateTimeField(blank=True, null=True)),
                ("search_vector", django.contrib.postgres.search.SearchVectorField(editable=False, null=True)),
            ],
            options={
                "verbose_name_plural": "search entries",
                "ordering": ["kind", "object_id"],
                "constraints": [
                    models.UniqueConstraint(fields=("kind", "object_id"), name="unique_search_entry")
                ],
            },
        ),
        migrations.CreateModel(
            name="SearchEntryFTS",
            fields=[
                ("entry", models.OneToOneField(db_column="rowid", on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name="fts", serialize=False, to="articles.searchentry")),
            ],
            options={
                "db_table": "articles_searchentry_fts",
                "managed": False,
            },
        ),
        migrations.RunPython(create_index, drop_index),
    ]

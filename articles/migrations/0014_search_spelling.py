"""Search spelling: the editable synonym list (seeded) and the word list "Did you mean" reads.

The word list is looked up by trigrams: pg_trgm's GIN index on PostgreSQL (the extension needs
CREATE privilege on the database, which the owner has), an FTS5 table with the trigram
tokenizer on SQLite (3.34 or newer), kept in step with the rows by triggers.
"""

from django.db import migrations, models

SYNONYMS = [
    "licence, license", "licences, licenses", "licensed, licenced", "licensing, licencing",
    "gpt4, gpt-4", "gpt4o, gpt-4o", "gpt35, gpt-3.5", "chatgpt, chat gpt",
    "opensource, open-source, open source", "openweights, open-weights, open weights",
    "llm, large language model", "llms, large language models", "moe, mixture of experts",
    "dalle, dall-e", "sdxl, stable diffusion xl", "finetune, fine-tune, fine tune",
    "finetuning, fine-tuning, fine tuning", "colour, color", "optimise, optimize",
    "optimisation, optimization", "organisation, organization", "behaviour, behavior",
    "multimodal, multi-modal", "speech to text, speech-to-text, transcription",
    "text to image, text-to-image", "params, parameters", "ai, artificial intelligence",
]  # fmt: skip

SQLITE = [
    "CREATE VIRTUAL TABLE articles_searchword_trgm USING fts5("
    "word, content='articles_searchword', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER articles_searchword_ai AFTER INSERT ON articles_searchword BEGIN "
    "INSERT INTO articles_searchword_trgm(rowid, word) VALUES (new.id, new.word); END",
    "CREATE TRIGGER articles_searchword_ad AFTER DELETE ON articles_searchword BEGIN "
    "INSERT INTO articles_searchword_trgm(articles_searchword_trgm, rowid, word) "
    "VALUES ('delete', old.id, old.word); END",
]
SQLITE_UNDO = [
    "DROP TRIGGER IF EXISTS articles_searchword_ai",
    "DROP TRIGGER IF EXISTS articles_searchword_ad",
    "DROP TABLE IF EXISTS articles_searchword_trgm",
]
POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX articles_searchword_trgm ON articles_searchword USING gin (word gin_trgm_ops)",
]
POSTGRES_UNDO = ["DROP INDEX IF EXISTS articles_searchword_trgm"]


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for sql in statements.get(vendor, []):
            schema_editor.execute(sql)

    return run


def seed(apps, schema_editor):
    synonym = apps.get_model("articles", "SearchSynonym")
    db = schema_editor.connection.alias
    synonym.objects.using(db).bulk_create(
        [synonym(spellings=line) for line in SYNONYMS], ignore_conflicts=True
    )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0013_clean_stored_text"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchSynonym",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "spellings",
                    models.CharField(
                        help_text="Spellings that mean the same, separated by commas: licence, license.",
                        max_length=200,
                        unique=True,
                    ),
                ),
            ],
            options={
                "verbose_name": "search synonym",
                "ordering": ["spellings"],
            },
        ),
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("word", models.CharField(max_length=40, unique=True)),
            ],
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_UNDO, "postgresql": POSTGRES_UNDO}),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]

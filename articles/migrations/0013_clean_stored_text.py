"""Clean text stored before config/lib/text.py's rule existed (issue 12): controls, NUL, CR and,
in names, direction overrides, in every article-side table and in the shared tag names."""

from django.db import migrations

from config.lib.text import clean_stored


def clean_rows(apps, schema_editor):
    alias = schema_editor.connection.alias
    for model in apps.get_app_config("articles").get_models():
        if model._meta.managed:
            clean_stored(model, alias)
    clean_stored(apps.get_model("taggit", "Tag"), alias)


class Migration(migrations.Migration):
    dependencies = [("articles", "0012_article_share_version")]

    operations = [migrations.RunPython(clean_rows, migrations.RunPython.noop)]

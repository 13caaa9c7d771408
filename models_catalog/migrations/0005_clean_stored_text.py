"""Clean text stored before config/lib/text.py's rule existed (issue 12): controls, NUL, CR and,
in names, direction overrides, in every catalog table (imports wrote them in bulk)."""

from django.db import migrations

from config.lib.text import clean_stored


def clean_rows(apps, schema_editor):
    for model in apps.get_app_config("models_catalog").get_models():
        clean_stored(model, schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("models_catalog", "0004_aimodel_release_order_index")]

    operations = [migrations.RunPython(clean_rows, migrations.RunPython.noop)]

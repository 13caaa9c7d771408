"""Seed the five modalities and copy each entry's `;`-separated text into its links.

Unknown words (the text column's validator refused them, but a bulk write could bypass it)
are dropped. Backwards, the links are joined into the text columns again.
"""

from django.db import migrations

CODES = ["text", "image", "audio", "video", "code"]
BATCH = 1000


def _codes(text):
    chosen = {part.strip().lower() for part in (text or "").split(";")}
    return [code for code in CODES if code in chosen]


def forwards(apps, schema_editor):
    db = schema_editor.connection.alias
    Modality = apps.get_model("models_catalog", "Modality")
    AIModel = apps.get_model("models_catalog", "AIModel")
    Modality.objects.using(db).bulk_create(
        [Modality(code=code, position=n) for n, code in enumerate(CODES)], ignore_conflicts=True
    )
    rows = AIModel.objects.using(db).values_list(
        "pk", "input_modalities_text", "output_modalities_text"
    )
    for name, column in (("input_modalities", 1), ("output_modalities", 2)):
        through = getattr(AIModel, name).through
        links = [
            through(aimodel_id=row[0], modality_id=code)
            for row in rows.iterator()
            for code in _codes(row[column])
        ]
        through.objects.using(db).bulk_create(links, batch_size=BATCH)


def backwards(apps, schema_editor):
    db = schema_editor.connection.alias
    AIModel = apps.get_model("models_catalog", "AIModel")
    for name in ("input_modalities", "output_modalities"):
        through = getattr(AIModel, name).through
        joined = {}
        for pk, code in through.objects.using(db).values_list("aimodel_id", "modality_id"):
            joined.setdefault(pk, set()).add(code)
        for pk, codes in joined.items():
            text = ";".join(code for code in CODES if code in codes)
            AIModel.objects.using(db).filter(pk=pk).update(**{f"{name}_text": text})


class Migration(migrations.Migration):
    dependencies = [("models_catalog", "0007_modality")]

    operations = [migrations.RunPython(forwards, backwards)]

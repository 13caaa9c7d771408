"""Modalities become a relation: a Modality table and two many-to-many links per entry.

The `;`-separated text columns are kept aside (renamed) until 0008 has copied them into the
links; 0009 drops them. Three migrations, so that no table is altered in the transaction
that wrote rows into it (PostgreSQL refuses that while foreign-key checks are pending).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("models_catalog", "0006_validation_on_the_fields")]

    operations = [
        migrations.CreateModel(
            name="Modality",
            fields=[
                (
                    "code",
                    models.CharField(
                        choices=[
                            ("text", "Text"),
                            ("image", "Image"),
                            ("audio", "Audio"),
                            ("video", "Video"),
                            ("code", "Code"),
                        ],
                        error_messages={
                            "invalid_choice": "Unknown modality %(value)s; use text, image, "
                            "audio, video, code."
                        },
                        max_length=10,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                (
                    "position",
                    models.PositiveSmallIntegerField(
                        help_text="Where it is listed.", unique=True
                    ),
                ),
            ],
            options={"verbose_name_plural": "modalities", "ordering": ["position"]},
        ),
        migrations.RenameField("aimodel", "input_modalities", "input_modalities_text"),
        migrations.RenameField("aimodel", "output_modalities", "output_modalities_text"),
        migrations.AddField(
            model_name="aimodel",
            name="input_modalities",
            field=models.ManyToManyField(
                blank=True, related_name="input_of", to="models_catalog.modality"
            ),
        ),
        migrations.AddField(
            model_name="aimodel",
            name="output_modalities",
            field=models.ManyToManyField(
                blank=True, related_name="output_of", to="models_catalog.modality"
            ),
        ),
    ]

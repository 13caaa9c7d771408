from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("models_catalog", "0008_modalities_from_text")]

    operations = [
        migrations.RemoveField("aimodel", "input_modalities_text"),
        migrations.RemoveField("aimodel", "output_modalities_text"),
    ]

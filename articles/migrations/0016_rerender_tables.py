from django.db import migrations
from django.utils import timezone


def mark_bodies_with_tables(apps, schema_editor):
    """Tables in bodies now sit in their own scroll box (config/lib/rendering.py): bodies
    rendered before this release get it when next read, or at once by
    `manage.py rebuild_search_index`, which renders every due body first. Historical models
    cannot render Markdown, so the rows are only marked due."""
    Article = apps.get_model("articles", "Article")
    rows = Article.objects.filter(body_html__contains="<table").exclude(
        body_html__contains='class="table-scroll"'
    )
    rows.update(rerender_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [("articles", "0015_autosave_presence")]

    operations = [migrations.RunPython(mark_bodies_with_tables, migrations.RunPython.noop)]

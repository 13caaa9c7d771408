from django.db import migrations, models
from django.utils import timezone


def mark_referencing_articles(apps, schema_editor):
    """Bodies rendered before this release may name drafts: render them again when next read.

    Historical models cannot render Markdown, so the rows are only marked due; the article
    page renders a due body at its next request, and `rebuild_search_index` renders every due
    body first, so run it after upgrading to clean the search entries at once.
    """
    Article = apps.get_model("articles", "Article")
    through = Article.mentioned_articles.through
    referencing = through.objects.values("from_article_id")
    Article.objects.filter(pk__in=referencing).update(rerender_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0010_article_covering_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="rerender_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="When an article this body references is scheduled to go live; the "
                "body is rendered again at the first request after that moment.",
                null=True,
            ),
        ),
        migrations.RunPython(mark_referencing_articles, migrations.RunPython.noop),
    ]

# Editorial workflow (issue 5): image library, revisions, trash, review comments, the
# publish permission. hero_image changes from a file field to a library image: it is removed
# and added again rather than altered, because an empty file name cannot be cast to a key.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Image',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('file', models.ImageField(height_field='height', upload_to='images/%Y/%m/', width_field='width')),
                ('width', models.PositiveIntegerField(default=0, editable=False)),
                ('height', models.PositiveIntegerField(default=0, editable=False)),
                ('alt', models.CharField(help_text='Describe the image for readers who cannot see it. Required.', max_length=250, verbose_name='alt text')),
                ('caption', models.CharField(blank=True, max_length=300)),
                ('credit', models.CharField(blank=True, help_text='Photographer or source.', max_length=200)),
                ('renditions', models.JSONField(blank=True, default=list, editable=False, help_text='Resized copies made at upload time: format, width, height, storage name.')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('uploaded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-created_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='Revision',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('version', models.PositiveIntegerField(help_text="The article's version after this save.")),
                ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ('note', models.CharField(blank=True, max_length=200)),
                ('content', models.JSONField(help_text='Title, slug, dek, body, tags, SEO fields and more.')),
                ('article', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='revisions', to='articles.article')),
                ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-created_at', '-pk'],
                'get_latest_by': ['created_at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='TrashedArticle',
            fields=[
            ],
            options={
                'verbose_name': 'article in the trash',
                'verbose_name_plural': 'articles in the trash',
                'ordering': ['-deleted_at', '-pk'],
                'proxy': True,
                'default_manager_name': 'objects',
                'indexes': [],
                'constraints': [],
            },
            bases=('articles.article',),
        ),
        migrations.AlterModelOptions(
            name='article',
            options={'ordering': ['-published_at', '-pk'], 'permissions': [('publish_article', 'Can publish, schedule, unpublish and send back articles')]},
        ),
        migrations.RemoveField(
            model_name='article',
            name='hero_alt',
        ),
        migrations.RemoveField(
            model_name='article',
            name='hero_image',
        ),
        migrations.AddField(
            model_name='article',
            name='hero_image',
            field=models.ForeignKey(blank=True, help_text='From the image library; its alt text is used.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='hero_of', to='articles.image'),
        ),
        migrations.AddField(
            model_name='article',
            name='deleted_at',
            field=models.DateTimeField(blank=True, editable=False, help_text='Set when the article is in the trash.', null=True),
        ),
        migrations.AddField(
            model_name='article',
            name='deleted_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='article',
            name='review_comment',
            field=models.TextField(blank=True, help_text='Left by an editor when sending the article back to draft; the author sees it.'),
        ),
    ]

"""Draft changes of a live article: edits kept apart from what readers see until published."""

import datetime

from django.conf import settings
from django.db import connection, models
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from articles.models.content import Article
from config.lib.text import CleanTextMixin


class ArticleDraftQuerySet(models.QuerySet):
    def due(self):
        """Scheduled draft changes whose time has come."""
        return self.filter(go_live_at__lte=timezone.now())

    def scheduled(self):
        return self.filter(go_live_at__isnull=False)


def next_go_live():
    """When the next scheduled article or scheduled draft changes go live (None: nothing).

    The page cache asks after every write to the articles half: one query for both,
    `SELECT (first scheduled article), (first scheduled draft)`, each an index seek.
    """
    firsts = [
        Article.objects.scheduled().order_by("published_at").values("published_at")[:1],
        ArticleDraft.objects.scheduled().order_by("go_live_at").values("go_live_at")[:1],
    ]
    compiled = [queryset.query.sql_with_params() for queryset in firsts]
    sql = "SELECT " + ", ".join(f"({part})" for part, _ in compiled)
    with connection.cursor() as cursor:
        cursor.execute(sql, [param for _, params in compiled for param in params])
        row = cursor.fetchone()
    return min((_as_datetime(value) for value in row if value is not None), default=None)


def _as_datetime(value):
    """A timestamp as the backend returns it from raw SQL (SQLite: text in UTC)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value


class ArticleDraft(CleanTextMixin, models.Model):
    """Changes saved to a published article that readers do not see yet.

    `content` holds the edited fields in the shape of a revision's snapshot (articles/writes.py
    `snapshot`, tags included); the live columns of the article stay as they are. The changes
    go through review like a new article and replace the live version when an editor
    publishes them, or at `go_live_at` (applied at the first request after it, no job to run).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft changes"
        REVIEW = "review", "Draft changes in review"

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="draft_changes"
    )
    content = models.JSONField(help_text="The edited fields and tags, as a revision holds them.")
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    go_live_at = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        help_text="The changes replace the live version at this moment, by themselves.",
    )
    review_comment = models.TextField(
        blank=True, help_text="Left by an editor when sending the changes back."
    )
    base_version = models.PositiveIntegerField(
        help_text="The live article's version when these changes were last saved."
    )
    version = models.PositiveIntegerField(
        default=1, help_text="Bumped on every save of the draft; detects edit conflicts."
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ArticleDraftQuerySet.as_manager()

    class Meta:
        verbose_name = "draft changes"
        verbose_name_plural = "draft changes"

    def __str__(self):
        return f"Draft changes of {self.article_id}"

    @property
    def is_scheduled(self):
        return self.go_live_at is not None

    def label(self):
        return draft_label(self.status, self.go_live_at)


def draft_label(status, go_live_at):
    """What the admin says of a live article with draft changes in `status`."""
    if go_live_at is not None:
        return f"Live + draft changes scheduled for {go_live_at:%Y-%m-%d %H:%M %Z}"
    if status == ArticleDraft.Status.REVIEW:
        return "Live + draft changes in review"
    return "Live + draft changes"

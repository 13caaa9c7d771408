"""Revisions: a snapshot of an article's content at each save."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from articles.models.content import Article
from config.lib.text import CleanTextMixin


class Revision(CleanTextMixin, models.Model):
    """A snapshot of an article's content at one save: who, when, and every content field."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField(help_text="The article's version after this save.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    note = models.CharField(max_length=200, blank=True)
    content = models.JSONField(help_text="Title, slug, dek, body, tags, SEO fields and more.")

    class Meta:
        ordering = ["-created_at", "-pk"]
        get_latest_by = ["created_at", "pk"]

    def __str__(self):
        return f"{self.article_id} v{self.version} ({self.created_at:%Y-%m-%d %H:%M})"

"""What an open article form leaves on the server: its autosave, and who has it open.

Neither is content: no revision, no page to invalidate, no search entry, never shown to
readers. Both are written by articles/backoffice/editing.py only.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from articles.models.content import Article


class Autosave(models.Model):
    """The fields of one user's open article form, as last typed (issue 14).

    One per user and article; a new article's form is keyed by a draft id its tab makes up,
    so two new articles in two tabs keep two autosaves.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    draft = models.CharField(max_length=40, blank=True, help_text="A new article's draft id.")
    fields = models.JSONField(help_text="Field name → the value as typed (text, or a list).")
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "article"],
                condition=Q(article__isnull=False),
                name="autosave_one_per_user_article",
            ),
            models.UniqueConstraint(
                fields=["user", "draft"],
                condition=Q(article__isnull=True),
                name="autosave_one_per_user_draft",
            ),
        ]

    def __str__(self):
        return f"autosave of {self.article_id or 'new:' + self.draft} by {self.user_id}"


class Presence(models.Model):
    """Someone has an article's change form open; refreshed by its heartbeat (issue 14)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    since = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["since", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="presence_one_per_user")
        ]

    def __str__(self):
        return f"{self.user_id} on {self.article_id} since {self.since:%H:%M}"

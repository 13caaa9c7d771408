"""Inline references still waiting for their target (articles/rendering/references.py)."""

from django.db import models

from articles.models.content import Article


class PendingReference(models.Model):
    """An inline reference whose target does not exist yet (e.g. a model not in the catalog).

    When an article or catalog entry with that slug appears, the articles waiting for it are
    rendered again, so the plain-text placeholder turns into a link.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10)
    slug = models.CharField(max_length=200)

    class Meta:
        indexes = [models.Index(fields=["kind", "slug"], name="pending_ref_target")]

    def __str__(self):
        return f"{self.kind}:{self.slug}"

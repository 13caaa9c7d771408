"""What editors write about a tag of the shared vocabulary."""

from django.db import models

from articles.announce import AnnouncedOnWrite
from config.lib.rendering import render_markdown
from config.lib.text import CleanTextMixin


class TagDescription(AnnouncedOnWrite, CleanTextMixin, models.Model):
    """What a tag is about, written by editors (Markdown, rendered and sanitised on save)."""

    tag = models.OneToOneField(
        "taggit.Tag", on_delete=models.CASCADE, primary_key=True, related_name="description"
    )
    description = models.TextField(blank=True, help_text="Markdown. Shown on the tag page.")
    description_html = models.TextField(blank=True, editable=False)

    def __str__(self):
        return f"Description of {self.tag}"

    def save(self, *args, **kwargs):
        self.description_html = render_markdown(self.description).html
        super().save(*args, **kwargs)

    def dependency_keys(self):
        return [f"tag:{self.tag_id}"]


class TagRedirect(models.Model):
    """A slug a tag used to have (renamed, or merged into another): its page answers 301."""

    old_slug = models.CharField(max_length=100, unique=True)
    tag = models.ForeignKey("taggit.Tag", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["old_slug"]

    def __str__(self):
        return f"{self.old_slug} → {self.tag_id}"

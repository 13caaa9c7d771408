"""The image library's pictures, and the addresses of their stored renditions."""

from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models

from articles.announce import AnnouncedOnWrite
from config.lib.text import CleanTextMixin


class Image(AnnouncedOnWrite, CleanTextMixin, models.Model):
    """A picture in the image library: used as a hero image or inline (`![alt](image:<id>)`).

    Uploads are validated and stripped of metadata, and their renditions are made once, at
    upload time (articles/backoffice/images/), so page views never resize anything.
    """

    file = models.ImageField(upload_to="images/%Y/%m/", width_field="width", height_field="height")
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    alt = models.CharField(
        "alt text",
        max_length=250,
        help_text="Describe the image for readers who cannot see it. Required.",
    )
    caption = models.CharField(max_length=300, blank=True)
    credit = models.CharField(max_length=200, blank=True, help_text="Photographer or source.")
    renditions = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text="Resized copies made at upload time: format, width, height, storage name.",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.alt

    @property
    def original_format(self):
        """ "jpeg", "png", "webp" or "gif", read from the stored file name."""
        suffix = PurePosixPath(self.file.name).suffix.lower().lstrip(".")
        return {"jpg": "jpeg", "jpeg": "jpeg"}.get(suffix, suffix or "jpeg")

    def srcset(self, fmt):
        """`srcset` value listing this image's renditions in format `fmt` ("webp", "jpeg"…)."""
        return ", ".join(
            f"{default_storage.url(r['name'])} {r['width']}w"
            for r in self.renditions
            if r["format"] == fmt
        )

    @property
    def webp_srcset(self):
        return self.srcset("webp")

    @property
    def original_srcset(self):
        return self.srcset(self.original_format)

    @property
    def fallback_url(self):
        """The widest rendition in the original format (the `src` for old browsers)."""
        candidates = [r for r in self.renditions if r["format"] == self.original_format]
        if not candidates:
            return self.file.url
        return default_storage.url(max(candidates, key=lambda r: r["width"])["name"])

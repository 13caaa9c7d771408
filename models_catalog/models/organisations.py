"""Who releases a model, and under which terms."""

from django.db import models
from django.db.models import Q

from config.lib.text import CleanTextMixin
from models_catalog.announce import AnnouncedOnWrite


class Organization(AnnouncedOnWrite, CleanTextMixin, models.Model):
    """A lab, company or collective that releases models."""

    name = models.CharField(max_length=150, unique=True)
    slug = models.SlugField(max_length=150, unique=True)
    homepage = models.URLField(blank=True)
    country = models.CharField(
        max_length=2, blank=True, help_text="ISO 3166 two-letter code, e.g. FR."
    )

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    def announced_entries(self):
        """Its entries: their search documents name the organisation."""
        return self.models.values_list("pk", flat=True) if self.pk else ()


class License(AnnouncedOnWrite, CleanTextMixin, models.Model):
    """The terms a model's weights (or service) come under."""

    class Kind(models.TextChoices):
        PERMISSIVE = "permissive", "Permissive"
        COPYLEFT = "copyleft", "Copyleft"
        RESTRICTED_OPEN = "restricted-open", "Restricted open"
        PROPRIETARY = "proprietary", "Proprietary"

    name = models.CharField(max_length=150, unique=True)
    spdx_id = models.CharField(
        "SPDX id", max_length=100, blank=True, help_text="e.g. Apache-2.0; leave blank if none."
    )
    url = models.URLField("URL", max_length=500, blank=True)
    kind = models.CharField(
        max_length=20, choices=Kind, blank=True, help_text="Blank while unknown."
    )
    osi_approved = models.BooleanField("OSI-approved", default=False)
    commercial_use = models.BooleanField(
        "commercial use allowed", null=True, blank=True, help_text="Leave unknown if unsure."
    )

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["spdx_id"], condition=~Q(spdx_id=""), name="unique_license_spdx_id"
            )
        ]

    def __str__(self):
        return self.name

"""The editor's desk: each user's preferences, and the notices the workflow leaves them."""

import functools
import zoneinfo

from django.conf import settings
from django.db import models
from django.utils import timezone

from config.lib.text import CleanTextMixin


@functools.cache
def time_zone_choices():
    """Every zone the system knows, by name (read once: listing them reads the zone files'
    folders, 1 ms a time)."""
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


def default_time_zone():
    return settings.TIME_ZONE


class DeskProfile(CleanTextMixin, models.Model):
    """What a back-office user chose for themselves: their time zone, and whether to get mail."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="desk_profile"
    )
    time_zone = models.CharField(
        max_length=64,
        default=default_time_zone,
        choices=time_zone_choices,
        help_text="Times on your inbox (scheduled articles) are shown in this time zone.",
    )
    email_notifications = models.BooleanField(
        "email me",
        default=True,
        help_text="Send me an email when an article waits for me or comes back to me. "
        "Notices on the admin's pages are shown either way.",
    )

    class Meta:
        verbose_name = "desk profile"

    def __str__(self):
        return f"Desk profile of {self.user}"

    @property
    def zone(self):
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo(settings.TIME_ZONE)


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(CleanTextMixin, models.Model):
    """A notice for one user about one workflow step, shown on their next admin page."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", "Submitted for review"
        SENT_BACK = "sent_back", "Sent back"
        PUBLISHED = "published", "Published"
        SCHEDULED = "scheduled", "Scheduled"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    article = models.ForeignKey(
        "articles.Article",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(max_length=20, choices=Kind)
    message = models.CharField(max_length=300)
    comment = models.TextField(blank=True, help_text="The editor's comment, when there is one.")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(
        null=True, blank=True, help_text="When its email went out (a retry never sends it twice)."
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self):
        return self.message

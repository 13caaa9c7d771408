"""Telling people when an article waits for them or comes back to them (issue 16).

The workflow calls one `notify_*` after each step. Each leaves a `Notification` row per
recipient, in the step's transaction (shown on their next admin page, then marked read), and
queues one task that emails those whose profile allows it once the step has committed. A mail
server that is down is retried and logged (config/lib/tasks.py); it never blocks the step nor
undoes it, and a retry never sends the same notice twice (`emailed_at`).
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from articles.models import DeskProfile, Notification
from config.lib.seo import absolute_url
from config.lib.tasks import enqueue_after_commit, retrying_task

logger = logging.getLogger("modelpress.notifications")
Kind = Notification.Kind
PUBLISH = "publish_article"


def editors():
    """Active staff who may publish: by group, by their own permission, or superusers."""
    may_publish = (
        Q(groups__permissions__codename=PUBLISH)
        | Q(user_permissions__codename=PUBLISH)
        | Q(is_superuser=True)
    )
    users = get_user_model().objects.filter(may_publish, is_active=True, is_staff=True)
    return users.distinct().order_by("pk")


def _author_user(article):
    user = article.author.user if article.author.user_id else None
    return user if user is not None and user.is_active else None


def user_zone(user):
    profile = DeskProfile.objects.filter(user=user).first()
    return profile.zone if profile else timezone.get_default_timezone()


def notify_submitted(article, actor):
    """Every editor but the one who submitted hears that `article` waits for review."""
    who = actor.get_full_name() or actor.get_username()
    message = f"“{article.title}” was submitted for review by {who}."
    _notify(editors().exclude(pk=actor.pk), article, Kind.SUBMITTED, message)


def notify_sent_back(article, actor, comment):
    message = f"“{article.title}” was sent back to you with a comment."
    _notify(_others([_author_user(article)], actor), article, Kind.SENT_BACK, message, comment)


def notify_published(article, actor, go_live_at=None):
    """The author hears that `article` is live, or scheduled (in their own time zone).

    `go_live_at`: when draft changes of a live article are scheduled to replace it.
    """
    recipients = _others([_author_user(article)], actor)
    if not recipients:
        return
    go_live_at = go_live_at or (article.published_at if article.is_scheduled else None)
    if go_live_at is not None and go_live_at > timezone.now():
        when = timezone.localtime(go_live_at, user_zone(recipients[0]))
        stamp = f"{date_format(when, 'j M Y, H:i')} ({when.tzname()})"
        message = f"“{article.title}” is scheduled to go live on {stamp}."
        _notify(recipients, article, Kind.SCHEDULED, message)
    else:
        _notify(recipients, article, Kind.PUBLISHED, f"“{article.title}” was published.")


def _others(users, actor):
    return [user for user in users if user is not None and user.pk != actor.pk]


def _notify(recipients, article, kind, message, comment=""):
    rows = [
        Notification(recipient=user, article=article, kind=kind, message=message, comment=comment)
        for user in recipients
    ]
    if not rows:
        return
    created = Notification.objects.bulk_create(rows)
    enqueue_after_commit(notification_mail, [row.pk for row in created])


def wants_mail(user):
    if not user.email:
        return False
    profile = getattr(user, "desk_profile", None)  # select_related: None when there is none
    return profile is None or profile.email_notifications


@retrying_task(attempts=5, first_delay=60)
def notification_mail(ids):
    """Email each of these notices not emailed yet to a recipient who wants mail."""
    pending = Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).select_related(
        "recipient__desk_profile", "article"
    )
    for notice in pending:
        if not wants_mail(notice.recipient):
            continue
        _email(notice).send()
        Notification.objects.filter(pk=notice.pk).update(emailed_at=timezone.now())


def _email(notice):
    lines = [notice.message]
    if notice.comment:
        lines += ["", "The editor's comment:", notice.comment]
    if notice.article_id:
        url = reverse("admin:articles_article_change", args=[notice.article_id])
        lines += ["", f"Open it: {absolute_url(url)}"]
    lines += ["", "You can turn these emails off under “My notifications” in the admin."]
    return EmailMessage(
        subject=f"[{settings.SITE_NAME}] {notice.message}"[:200],
        body="\n".join(lines),
        to=[notice.recipient.email],
    )

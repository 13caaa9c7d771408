"""Autosave and presence for the article form (issue 14, items 3 and 5).

An open add or change form sends its fields here every few seconds while they change
(articles/static/articles/admin/editing.js); reopening the form offers them back. While a
change form is open its heartbeat records who has the article open, and everyone else who
opens it is told. Neither is an article write: they go nowhere near articles/writes.py or
articles/announce.py, so they cost no revision, no cache invalidation and no search work.
Old autosaves are purged by `manage.py purge_autosaves` and at each login.
"""

import json
import re
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import IntegrityError, transaction
from django.utils import timezone

from articles.models import Autosave, Presence
from config.lib.tasks import enqueue_after_commit, retrying_task
from config.lib.text import TEXT, clean

FIELD_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
DRAFT_ID = re.compile(r"[A-Za-z0-9-]{1,40}")
MAX_FIELDS = 100
MAX_LIST = 500


def setting(name):
    """The editing settings, each overridable in settings.py (the tests shorten them)."""
    defaults = {
        "ARTICLE_AUTOSAVE_MAX_BYTES": 1_000_000,  # a body of ~150,000 words, JSON-escaped
        "ARTICLE_AUTOSAVE_MAX_AGE": timedelta(days=30),
        "ARTICLE_AUTOSAVE_DELAY": 3.0,  # seconds after the last change
        "ARTICLE_PRESENCE_INTERVAL": 20.0,  # seconds between heartbeats
        "ARTICLE_PRESENCE_EXPIRY": 40.0,  # gone after two missed beats; seen by others at their next
    }
    return getattr(settings, name, defaults[name])


class BadPayload(Exception):
    """The request body is not an autosave we keep; `status` is 400 or 413."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


# --- autosave -------------------------------------------------------------------------------


def parse_payload(body, new):
    """(draft id or "", fields) from a JSON body; BadPayload when it is not one we keep."""
    if len(body) > setting("ARTICLE_AUTOSAVE_MAX_BYTES"):
        raise BadPayload("The autosave is too large.", status=413)
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise BadPayload("The autosave is not JSON.") from error
    if not isinstance(data, dict) or not isinstance(data.get("fields"), dict):
        raise BadPayload("The autosave has no fields.")
    draft = data.get("draft", "")
    if new and not (isinstance(draft, str) and DRAFT_ID.fullmatch(draft)):
        raise BadPayload("A new article's autosave needs its draft id.")
    return (draft if new else ""), clean_fields(data["fields"])


def clean_fields(fields):
    """The fields with clean text (config/lib/text.py); BadPayload for any other shape.

    A value is text, or a list of text or of [value, label] pairs (a select's choices).
    """
    if len(fields) > MAX_FIELDS:
        raise BadPayload("The autosave has too many fields.")
    cleaned = {}
    for name, value in fields.items():
        if not FIELD_NAME.fullmatch(name):
            raise BadPayload("The autosave names a field that cannot exist.")
        cleaned[name] = _clean_value(value, depth=0)
    return cleaned


def _clean_value(value, depth):
    if isinstance(value, str):
        return clean(value, TEXT)
    if isinstance(value, list) and depth < 2 and len(value) <= MAX_LIST:
        return [_clean_value(item, depth + 1) for item in value]
    raise BadPayload("The autosave holds a value that no form field has.")


def autosave_store(user, article, draft, fields):
    """Keep `fields` as `user`'s autosave of `article` (None and `draft` for a new one).

    Returns when it was stored. One UPDATE while the form stays open (every few seconds).
    """
    key = {"user": user, "article": article, "draft": "" if article else draft}
    values = {"fields": fields, "updated_at": timezone.now()}
    if not Autosave.objects.filter(**key).update(**values):
        try:
            with transaction.atomic():
                Autosave.objects.create(**key, **values)
        except IntegrityError:  # two requests of one tab raced to create it: the other won
            Autosave.objects.filter(**key).update(**values)
    return values["updated_at"]


def autosave_for(user, article):
    """What `user` left unsaved in `article`'s form (a new article's: the latest), or None."""
    found = Autosave.objects.filter(user=user, article=article)
    return found.order_by("-updated_at", "-pk").first()


def autosave_discard(user, article, draft=""):
    """Forget `user`'s autosave of `article` (or of the new article `draft`)."""
    found = Autosave.objects.filter(user=user, article=article)
    if article is None:
        found = found.filter(draft=draft)
    found.delete()


def autosave_as_json(autosave):
    """What the form's script needs to offer an autosave back (json_script)."""
    if autosave is None:
        return None
    return {
        "draft": autosave.draft,
        "saved_at": autosave.updated_at.isoformat(),
        "fields": autosave.fields,
    }


def autosaves_purge(now=None):
    """Delete every autosave older than ARTICLE_AUTOSAVE_MAX_AGE; how many went."""
    cutoff = (now or timezone.now()) - setting("ARTICLE_AUTOSAVE_MAX_AGE")
    deleted, _ = Autosave.objects.filter(updated_at__lt=cutoff).delete()
    return deleted


@retrying_task(attempts=3)
def purge_autosaves_task():
    autosaves_purge()


def purge_at_login(sender, request, user, **kwargs):
    # A task: a purge must never slow down or fail a login (config/lib/tasks.py).
    enqueue_after_commit(purge_autosaves_task)


def connect():
    user_logged_in.connect(purge_at_login, dispatch_uid="articles-purge-autosaves")


# --- presence -------------------------------------------------------------------------------


def display_name(user):
    return user.get_full_name() or user.get_username()


def presence_beat(user, article):
    """Record that `user` has `article` open now (their `since` kept); forget the departed."""
    now = timezone.now()
    Presence.objects.filter(article=article, seen_at__lt=_expired(now)).delete()
    updated = Presence.objects.filter(article=article, user=user).update(seen_at=now)
    if not updated:
        try:
            with transaction.atomic():
                Presence.objects.create(article=article, user=user, since=now, seen_at=now)
        except IntegrityError:  # the same user's other tab created it a moment ago
            pass


def presence_leave(user, article):
    Presence.objects.filter(article=article, user=user).delete()


def presence_others(user, article):
    """[{"name", "since"}] of everyone else who has `article` open, earliest first."""
    found = (
        Presence.objects.filter(article=article, seen_at__gte=_expired(timezone.now()))
        .exclude(user=user)
        .select_related("user")
    )
    return [{"name": display_name(p.user), "since": p.since.isoformat()} for p in found]


def _expired(now):
    return now - timedelta(seconds=setting("ARTICLE_PRESENCE_EXPIRY"))


def presences_purge(now=None):
    """Delete the entries of tabs that stopped beating (the purge command calls it)."""
    deleted, _ = Presence.objects.filter(seen_at__lt=_expired(now or timezone.now())).delete()
    return deleted

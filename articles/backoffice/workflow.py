"""The editorial workflow: draft → in review → published (a future time means scheduled).

Every function checks the user's rights itself, so the admin buttons, the bulk actions and
any forged request all meet the same rules. Each step is written through the one write path
(articles/writes.py) with a note, which it records as a revision.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from articles.backoffice import notifications
from articles.models import Article, Author
from articles.writes import article_save, articles_delete

Status = Article.Status


class WorkflowError(Exception):
    """The article is not in a state that allows this step (shown to the user as is)."""


def can_publish(user):
    return user.is_active and user.has_perm("articles.publish_article")


def is_own(user, article):
    return article.author.user_id is not None and article.author.user_id == user.pk


def can_edit(user, article):
    """May `user` change the content of `article`? Authors: only their own drafts."""
    if not (user.is_active and user.has_perm("articles.change_article")) or article.is_trashed:
        return False
    return can_publish(user) or (article.status == Status.DRAFT and is_own(user, article))


def author_for_user(user):
    """The byline of `user`, created from their name the first time they write."""
    author = Author.objects.filter(user=user).first()
    if author:
        return author
    name = user.get_full_name() or user.get_username()
    base = slugify(name) or "author"
    slug, n = base, 1
    while Author.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return Author.objects.create(user=user, name=name, slug=slug)


def _locked(article):
    return Article.all_objects.select_for_update().select_related("author").get(pk=article.pk)


def _require(allowed, message="You do not have permission to do that."):
    if not allowed:
        raise PermissionDenied(message)


@transaction.atomic
def article_submit(article, user):
    """Send a draft to the editors for review."""
    article = _locked(article)
    _require(can_edit(user, article))
    if article.status != Status.DRAFT:
        raise WorkflowError("Only a draft can be submitted for review.")
    article.status = Status.REVIEW
    # A new round: the last comment stays in the history and the notice, not in the form.
    article.review_comment = ""
    article = article_save(article, user, note="Submitted for review")
    notifications.notify_submitted(article, user)
    return article


@transaction.atomic
def article_publish(article, user, when=None):
    """Publish now, or at `when` if that is in the future (scheduling)."""
    article = _locked(article)
    _require(can_publish(user), "Only editors can publish.")
    if article.is_trashed:
        raise WorkflowError("An article in the trash cannot be published.")
    now = timezone.now()
    article.status = Status.PUBLISHED
    article.published_at = when or now
    article.review_comment = ""
    if article.published_at > now:
        note = f"Scheduled for {article.published_at:%Y-%m-%d %H:%M %Z}"
    else:
        note = "Published"
    article = article_save(article, user, note=note)
    notifications.notify_published(article, user)
    return article


def article_schedule(article, user, when):
    _require(can_publish(user), "Only editors can schedule.")
    if when is None or when <= timezone.now():
        raise WorkflowError("Pick a publication time in the future.")
    return article_publish(article, user, when=when)


@transaction.atomic
def article_unpublish(article, user):
    """Take a published or scheduled article back to draft (readers lose it at once)."""
    article = _locked(article)
    _require(can_publish(user), "Only editors can unpublish.")
    if article.status != Status.PUBLISHED:
        raise WorkflowError("Only a published or scheduled article can be unpublished.")
    article.status = Status.DRAFT
    return article_save(article, user, note="Unpublished")


@transaction.atomic
def article_send_back(article, user, comment):
    """Return an article to its author as a draft, with a comment they will see."""
    article = _locked(article)
    _require(can_publish(user), "Only editors can send an article back.")
    comment = (comment or "").strip()
    if not comment:
        raise WorkflowError("Write a comment telling the author what to change.")
    if article.status == Status.DRAFT:
        raise WorkflowError("The article is already a draft.")
    article.status = Status.DRAFT
    article.review_comment = comment
    article = article_save(article, user, note=f"Sent back to draft: {comment}")
    notifications.notify_sent_back(article, user, comment)
    return article


def article_revoke_share_links(article, user):
    """Make every share-preview link of `article` given out so far answer as expired."""
    _require(can_publish(user), "Only editors can revoke share links.")
    # Not a content change: no new version, revision or "last modified" stamp.
    Article.all_objects.filter(pk=article.pk).update(share_version=F("share_version") + 1)
    return article


def can_trash(user):
    return user.is_active and user.has_perm("articles.delete_article")


@transaction.atomic
def article_trash(article, user):
    """Move an article to the trash: hidden everywhere, restorable by editors."""
    article = _locked(article)
    _require(can_trash(user))
    if article.is_trashed:
        return article
    article.deleted_at = timezone.now()
    article.deleted_by = user
    return article_save(article, user, note="Moved to the trash")


@transaction.atomic
def article_restore(article, user):
    """Take an article out of the trash, as it was (a published one is live again)."""
    article = _locked(article)
    _require(can_trash(user))
    article.deleted_at = None
    article.deleted_by = None
    return article_save(article, user, note="Restored from the trash")


@transaction.atomic
def trash_empty(user, articles=None):
    """Delete for good the given trashed articles (default: the whole trash), revisions too."""
    _require(can_trash(user))
    queryset = Article.all_objects.trashed()
    if articles is not None:
        queryset = queryset.filter(pk__in=[a.pk for a in articles])
    return articles_delete(list(queryset.only("pk")))

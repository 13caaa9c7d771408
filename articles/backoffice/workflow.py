"""The editorial workflow: draft → in review → published (a future time means scheduled).

Every function checks the user's rights itself, so the admin buttons, the bulk actions and
any forged request all meet the same rules. Each step is written through the one write path
(articles/writes.py) with a note, which it records as a revision.

A live article takes *draft changes* (articles/models/drafts.py), which go through the same
steps: submit, send back, publish or schedule. Authors propose them for their own published
articles; only editors publish them. Readers keep the live version until then.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from articles import announce
from articles.models import Article, ArticleDraft, Author
from articles.writes import (
    article_save,
    articles_delete,
    content_apply,
    draft_of,
    draft_publish,
)

Status = Article.Status
DraftStatus = ArticleDraft.Status


class WorkflowError(Exception):
    """The article is not in a state that allows this step (shown to the user as is)."""


def can_publish(user):
    return user.is_active and user.has_perm("articles.publish_article")


def is_own(user, article):
    return article.author.user_id is not None and article.author.user_id == user.pk


def can_edit(user, article):
    """May `user` change the content of `article`? Authors: their own drafts, and draft
    changes to their own live articles unless those are waiting for review."""
    if not (user.is_active and user.has_perm("articles.change_article")) or article.is_trashed:
        return False
    if can_publish(user):
        return True
    if not is_own(user, article):
        return False
    if article.is_published:
        draft = draft_of(article)
        return draft is None or (draft.status == DraftStatus.DRAFT and not draft.is_scheduled)
    return article.status == Status.DRAFT


def saves_as_draft(user, article):
    """Does saving `article`'s form write draft changes rather than the live version?

    Yes once it has some (the form shows them), and always for an author's live article.
    """
    if article.pk is None or not article.is_published:
        return False
    return draft_of(article) is not None or not can_publish(user)


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
    if article.is_published:
        return _draft_submit(article)
    if article.status != Status.DRAFT:
        raise WorkflowError("Only a draft can be submitted for review.")
    article.status = Status.REVIEW
    return article_save(article, user, note="Submitted for review")


def _draft_submit(article):
    draft = _draft_locked(article)
    if draft is None or draft.status != DraftStatus.DRAFT:
        raise WorkflowError("Save draft changes first: the live version is already published.")
    draft.status = DraftStatus.REVIEW
    draft.save(update_fields=["status"])
    return article


def _draft_locked(article):
    return ArticleDraft.objects.select_for_update().filter(article_id=article.pk).first()


@transaction.atomic
def article_publish(article, user, when=None):
    """Publish now, or at `when` if that is in the future (scheduling).

    A live article with draft changes has those published (or scheduled) instead.
    """
    article = _locked(article)
    _require(can_publish(user), "Only editors can publish.")
    if article.is_trashed:
        raise WorkflowError("An article in the trash cannot be published.")
    if article.is_published and (draft := _draft_locked(article)) is not None:
        return _draft_go_live(article, draft, user, when)
    now = timezone.now()
    article.status = Status.PUBLISHED
    article.published_at = when or now
    article.review_comment = ""
    if article.published_at > now:
        note = f"Scheduled for {article.published_at:%Y-%m-%d %H:%M %Z}"
    else:
        note = "Published"
    return article_save(article, user, note=note)


def _draft_go_live(article, draft, user, when):
    """Publish `draft` now, or schedule it: it replaces the live version at `when`."""
    if when is None or when <= timezone.now():
        return draft_publish(article, user)
    draft.go_live_at = when
    draft.status = DraftStatus.REVIEW
    draft.review_comment = ""
    draft.updated_by = user
    draft.save(update_fields=["go_live_at", "status", "review_comment", "updated_by"])
    announce.schedule_changed()
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
    tags = _fold_draft(article)
    return article_save(article, user, note="Unpublished", tags=tags)


def _fold_draft(article):
    """Draft changes become the article's text once readers no longer see it (None: none)."""
    draft = _draft_locked(article)
    if draft is None:
        return None
    tags = content_apply(article, draft.content)
    draft.delete()
    return tags


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
    if article.is_published and (draft := _draft_locked(article)) is not None:
        draft.status, draft.go_live_at, draft.review_comment = DraftStatus.DRAFT, None, comment
        draft.save(update_fields=["status", "go_live_at", "review_comment"])
        announce.schedule_changed()
        return article
    article.status = Status.DRAFT
    article.review_comment = comment
    return article_save(article, user, note=f"Sent back to draft: {comment}")


@transaction.atomic
def article_discard_draft(article, user):
    """Throw away a live article's draft changes (editors, or its author while they edit them)."""
    article = _locked(article)
    draft = _draft_locked(article)
    if draft is None:
        raise WorkflowError("This article has no draft changes.")
    _require(can_publish(user) or can_edit(user, article))
    draft.delete()
    announce.schedule_changed()
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

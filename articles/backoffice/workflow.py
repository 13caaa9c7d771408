"""The editorial workflow: draft → in review → published (a future time means scheduled).

Every function checks the user's rights itself, so the admin buttons, the bulk actions and
any forged request all meet the same rules. Each step is written through the one write path
(articles/writes.py) with a note, which it records as a revision. A step taken from the
change form carries the form's fields as typed (`Edits`): they are written with the state
change, in the same save and the same revision, so no button discards an edit (issue 14).

A live article takes *draft changes* (articles/models/drafts.py), which go through the same
steps: submit, send back, publish or schedule. Authors propose them for their own published
articles; only editors publish them. Readers keep the live version until then.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from articles import announce
from articles.backoffice import notifications
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


def can_withdraw(user, article):
    """May `user` take `article` back from review? Its author, while it waits for review."""
    allowed = user.is_active and user.has_perm("articles.change_article")
    return allowed and article.status == Status.REVIEW and is_own(user, article)


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


@dataclass(frozen=True)
class Edits:
    """The change form's fields as typed (attribute name → value) and its tags (names)."""

    fields: dict = field(default_factory=dict)
    tags: list | None = None

    def apply(self, article):
        """Set the fields on `article`; returns the tags to store (None: leave them)."""
        for name, value in self.fields.items():
            setattr(article, name, value)
        return self.tags


def _edit(article, edits):
    return edits.apply(article) if edits is not None else None


def _locked(article):
    return Article.all_objects.select_for_update().select_related("author").get(pk=article.pk)


def _require(allowed, message="You do not have permission to do that."):
    if not allowed:
        raise PermissionDenied(message)


def check_submit(article, user):
    _require(can_edit(user, article))
    if article.status != Status.DRAFT and not article.is_published:
        raise WorkflowError("Only a draft can be submitted for review.")


@transaction.atomic
def article_submit(article, user, edits=None):
    """Send a draft to the editors for review (with the form's `edits`, if any).

    A live article's draft changes go to review instead (the admin saves the form's fields
    into them first).
    """
    article = _locked(article)
    check_submit(article, user)
    if article.is_published:
        article = _draft_submit(article)
        notifications.notify_submitted(article, user)
        return article
    tags = _edit(article, edits)
    article.status = Status.REVIEW
    # A new round: the last comment stays in the history and the notice, not in the form.
    article.review_comment = ""
    article = article_save(article, user, note="Submitted for review", tags=tags)
    notifications.notify_submitted(article, user)
    return article


def _draft_submit(article):
    draft = _draft_locked(article)
    if draft is None or draft.status != DraftStatus.DRAFT:
        raise WorkflowError("Save draft changes first: the live version is already published.")
    draft.status = DraftStatus.REVIEW
    draft.save(update_fields=["status"])
    return article


def _draft_locked(article):
    return ArticleDraft.objects.select_for_update().filter(article_id=article.pk).first()


def check_withdraw(article, user):
    _require(can_withdraw(user, article), "Only the author can withdraw their submission.")


@transaction.atomic
def article_withdraw(article, user):
    """The author takes their own article back from review to draft."""
    article = _locked(article)
    check_withdraw(article, user)
    article.status = Status.DRAFT
    return article_save(article, user, note="Withdrawn from review")


def check_publish(article, user, when=None):
    _require(can_publish(user), "Only editors can publish.")
    if article.is_trashed:
        raise WorkflowError("An article in the trash cannot be published.")


@transaction.atomic
def article_publish(article, user, when=None, edits=None):
    """Publish now, or at `when` if that is in the future (scheduling).

    A live article with draft changes has those published (or scheduled) instead.
    """
    article = _locked(article)
    check_publish(article, user)
    if article.is_published and (draft := _draft_locked(article)) is not None:
        article = _draft_go_live(article, draft, user, when)
        notifications.notify_published(article, user, go_live_at=when)
        return article
    tags = _edit(article, edits)
    now = timezone.now()
    article.status = Status.PUBLISHED
    article.published_at = when or now
    article.review_comment = ""
    if article.published_at > now:
        note = f"Scheduled for {article.published_at:%Y-%m-%d %H:%M %Z}"
    else:
        note = "Published"
    article = article_save(article, user, note=note, tags=tags)
    notifications.notify_published(article, user)
    return article


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


def check_schedule(article, user, when=None):
    _require(can_publish(user), "Only editors can schedule.")
    if when is None or when <= timezone.now():
        raise WorkflowError("Pick a publication time in the future.")
    check_publish(article, user)


def article_schedule(article, user, when, edits=None):
    check_schedule(article, user, when)
    return article_publish(article, user, when=when, edits=edits)


def check_unpublish(article, user):
    _require(can_publish(user), "Only editors can unpublish.")
    if article.status != Status.PUBLISHED:
        raise WorkflowError("Only a published or scheduled article can be unpublished.")


@transaction.atomic
def article_unpublish(article, user, edits=None):
    """Take a published or scheduled article back to draft (readers lose it at once)."""
    article = _locked(article)
    check_unpublish(article, user)
    tags = _edit(article, edits)
    article.status = Status.DRAFT
    folded = _fold_draft(article)
    tags = folded if folded is not None else tags
    return article_save(article, user, note="Unpublished", tags=tags)


def _fold_draft(article):
    """Draft changes become the article's text once readers no longer see it (None: none)."""
    draft = _draft_locked(article)
    if draft is None:
        return None
    tags = content_apply(article, draft.content)
    draft.delete()
    return tags


def check_send_back(article, user, comment=""):
    _require(can_publish(user), "Only editors can send an article back.")
    if not (comment or "").strip():
        raise WorkflowError("Write a comment telling the author what to change.")
    if article.status == Status.DRAFT:
        raise WorkflowError("The article is already a draft.")


@transaction.atomic
def article_send_back(article, user, comment, edits=None):
    """Return an article to its author as a draft, with a comment they will see."""
    article = _locked(article)
    check_send_back(article, user, comment)
    comment = comment.strip()
    if article.is_published and (draft := _draft_locked(article)) is not None:
        draft.status, draft.go_live_at, draft.review_comment = DraftStatus.DRAFT, None, comment
        draft.save(update_fields=["status", "go_live_at", "review_comment"])
        announce.schedule_changed()
        notifications.notify_sent_back(article, user, comment)
        return article
    tags = _edit(article, edits)
    article.status = Status.DRAFT
    article.review_comment = comment
    article = article_save(article, user, note=f"Sent back to draft: {comment}", tags=tags)
    notifications.notify_sent_back(article, user, comment)
    return article


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


def check_revoke_share_links(article, user):
    _require(can_publish(user), "Only editors can revoke share links.")


@transaction.atomic
def article_revoke_share_links(article, user, edits=None):
    """Make every share-preview link of `article` given out so far answer as expired.

    From the change form, the form's `edits` are saved first (an ordinary save).
    """
    check_revoke_share_links(article, user)
    if edits is not None:
        article = _locked(article)
        article_save(article, user, note="Saved", tags=edits.apply(article))
    # Not a content change: no new version, revision or "last modified" stamp.
    Article.all_objects.filter(pk=article.pk).update(share_version=F("share_version") + 1)
    return article


# The change form's workflow buttons: name → (check, step, what the message says was done).
FORM_STEPS = {
    "submit_for_review": (check_submit, article_submit, "submitted for review"),
    "publish_now": (check_publish, article_publish, "published"),
    "schedule": (check_schedule, article_schedule, "scheduled"),
    "unpublish": (check_unpublish, article_unpublish, "unpublished"),
    "send_back": (check_send_back, article_send_back, "sent back to draft"),
    "revoke_share_links": (
        check_revoke_share_links,
        article_revoke_share_links,
        "had its share links revoked",
    ),
}


def step_refusal(name, article, user, **kwargs):
    """Why `user` may not take the form step `name` on `article` now (a sentence), or None."""
    check = FORM_STEPS[name][0]
    try:
        check(article, user, **kwargs)
    except (WorkflowError, PermissionDenied) as error:
        return str(error) or "You may not do that."
    return None


def can_trash(user):
    """The editors' right over the whole trash: move any article there, restore, empty."""
    return user.is_active and user.has_perm("articles.delete_article")


def can_move_to_trash(user, article):
    """Editors: any article. Authors: their own drafts."""
    if can_trash(user):
        return True
    return can_edit(user, article) and article.status == Status.DRAFT


@transaction.atomic
def article_trash(article, user):
    """Move an article to the trash: hidden everywhere, restorable by editors."""
    article = _locked(article)
    _require(can_move_to_trash(user, article))
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

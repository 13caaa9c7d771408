"""Revisions in the back office: word-level diffs between two, and restoring one.

The write path records them (articles/writes.py: a snapshot of every content field at each
save that says what happened). Restoring never overwrites history: it copies an old
snapshot's content onto the article and saves that, through the same path, as a new revision;
on a live article it becomes the article's draft changes instead (articles/writes.py).
"""

import difflib
import re
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.html import escape
from django.utils.safestring import mark_safe

from articles.models import Article, Revision
from articles.writes import article_save, content_apply, draft_of, revision_create

# (key in the snapshot, label shown in diffs)
CONTENT_FIELDS = [
    ("title", "Title"),
    ("slug", "Slug"),
    ("dek", "Dek"),
    ("body", "Body"),
    ("category", "Category"),
    ("author", "Author"),
    ("hero_image", "Hero image"),
    ("tags", "Tags"),
    ("seo_title", "SEO title"),
    ("seo_description", "SEO description"),
    ("status", "Status"),
    ("published_at", "Published at"),
    ("review_comment", "Comment from the editors"),
]
DIFF_CONTEXT = 12  # words of unchanged text kept on each side of a change
# Words (keeping "3.1", "don't" and "mixture-of-experts" whole), runs of space, punctuation.
_TOKEN = re.compile(r"\s+|\w+(?:[.,'’-]\w+)*|[^\w\s]")


def revision_baseline(article):
    """Make sure the version an editor is about to open has a snapshot.

    Articles written before revisions existed (or loaded by a script) have none; without it an
    edit conflict could not show what the other person changed, only how the texts differ.
    """
    if not Revision.objects.filter(article=article, version=article.version).exists():
        revision_create(article, None, note="As it was before this edit")


def display_value(content, key):
    """A snapshot field as readable text for diffs."""
    value = content.get(key)
    if key in ("category", "author"):
        return content.get(f"{key}_name") or ("" if value is None else f"#{value}")
    if key == "hero_image":
        return "" if value is None else f"image #{value}"
    if key == "tags":
        return ", ".join(value or [])
    if key == "published_at" and value:
        # To the minute: a form round trip drops microseconds, which is not a change.
        return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M %Z").strip()
    return "" if value is None else str(value)


def diff_words(old, new, context=None):
    """HTML marking words removed (`<del>`) and added (`<ins>`) between two texts.

    With `context` (a number of words), unchanged text longer than that around the changes
    is cut to the words nearest them, and "…" stands for what was left out: a long body shows
    the changed passages, not the whole text.
    """
    a, b = _TOKEN.findall(old or ""), _TOKEN.findall(new or "")
    opcodes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    parts = []
    for index, (op, i1, i2, j1, j2) in enumerate(opcodes):
        if op == "equal":
            first, last = index == 0, index == len(opcodes) - 1
            parts.append(_unchanged(a[i1:i2], context, first, last))
            continue
        if i2 > i1:
            parts.append(f"<del>{escape(''.join(a[i1:i2]))}</del>")
        if j2 > j1:
            parts.append(f"<ins>{escape(''.join(b[j1:j2]))}</ins>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text is escaped above


GAP = '<span class="diff-gap" title="unchanged text left out">…</span>'


def _unchanged(tokens, context, first, last):
    """Escaped unchanged text, cut to `context` words on each side that touches a change."""
    words = [i for i, token in enumerate(tokens) if not token.isspace()]
    if context is None or len(words) <= context * (1 if first or last else 2):
        return escape("".join(tokens))
    head = "" if first else escape("".join(tokens[: words[context - 1] + 1])) + " "
    tail = "" if last else " " + escape("".join(tokens[words[-context] :]))
    return f"{head}{GAP}{tail}"


def diff_contents(old, new, context=DIFF_CONTEXT):
    """[(label, diff_html)] for each content field that differs between two snapshots.

    Long unchanged text is cut to `context` words around each change (None: all of it).
    """
    changes = []
    for key, label in CONTENT_FIELDS:
        before, after = display_value(old, key), display_value(new, key)
        if before != after:
            changes.append((label, diff_words(before, after, context)))
    return changes


# The notes of the steps where an editor last looked at the article (workflow.py writes them).
REVIEW_NOTES = Q(note__startswith="Sent back to draft") | Q(note="Published")
REVIEW_NOTES |= Q(note__startswith="Scheduled for")


def last_review(article):
    """The revision the article had when an editor last sent it back or published it.

    None when no editor has reviewed it yet; the history then compares the two latest.
    """
    revisions = Revision.objects.filter(article=article).filter(REVIEW_NOTES)
    return revisions.order_by("-created_at", "-pk").first()


@transaction.atomic
def revision_restore(revision, user):
    """Copy `revision`'s content onto its article and record it as a new revision.

    Publication state (status, publish time) is left alone: restoring text must not publish
    or unpublish anything. On a live article the restored content becomes its draft changes
    (readers keep the live version until an editor publishes them) and None is returned;
    otherwise the new revision.
    """
    article = Article.all_objects.select_for_update().get(pk=revision.article_id)
    if draft_of(article) is not None:
        # Its draft changes are in no revision: writing over them would lose them.
        raise ValidationError(
            "This article has draft changes. Publish or discard them before restoring an "
            "older version."
        )
    tags = content_apply(article, revision.content)
    if article.is_published:
        article_save(article, user, tags=tags, draft=True)
        return None
    when = revision.created_at.strftime("%Y-%m-%d %H:%M")
    note = f"Restored the revision of {when} (v{revision.version})"
    article_save(article, user, note=note, tags=tags)
    return Revision.objects.filter(article=article).latest()

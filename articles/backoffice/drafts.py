"""Edit conflicts on draft changes of a live article (the draft's own version counter).

Two people editing a live article's draft changes would otherwise write over each other
without a word: the live version, whose counter the article form checks, does not move.
"""

from django.db import transaction

from articles.backoffice.revisions import diff_contents
from articles.models import ArticleDraft


def draft_conflict(form, cleaned, submitted):
    """Refuse the save when the draft changes moved since the form was opened; the conflict
    for the form to show (their draft against the typed text), or None."""
    base = cleaned.get("draft_version")
    if base is None:
        return None  # a form from before draft changes existed: nothing to compare
    rows = ArticleDraft.objects.filter(article_id=form.instance.pk).select_related("updated_by")
    if transaction.get_connection().in_atomic_block:
        rows = rows.select_for_update(of=("self",))
    draft = rows.first()
    current = draft.version if draft else 0
    if base == current:
        return None
    who = draft.updated_by.get_username() if draft and draft.updated_by else ""
    form.add_error(
        None,
        f"{who or 'Someone'} changed this article's draft changes while you were editing it. "
        "Your text is still in the form below; check their draft, then save again to keep "
        "your version.",
    )
    form.data = form.data.copy()
    form.data[form.add_prefix("draft_version")] = current  # a second save, knowingly, goes
    theirs = draft.content if draft else {}
    return {
        "user": who,
        "at": draft.updated_at if draft else None,
        "version": f"{current} of the draft changes",
        "title": "Their draft changes compared with yours",
        "changes": diff_contents(theirs, {**theirs, **submitted}),
    }

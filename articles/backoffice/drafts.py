"""Edit conflicts on draft changes of a live article (the draft's own version counter).

Two people editing a live article's draft changes would otherwise write over each other
without a word: the live version, whose counter the article form checks, does not move.
"""

from django.db import transaction

from articles.models import ArticleDraft


def draft_conflict(form, cleaned):
    """Refuse the save (a form error, the typed text kept) when the draft changes moved
    since the form was opened; saving again, knowingly, goes through."""
    base = cleaned.get("draft_version")
    if base is None:
        return  # a form from before draft changes existed: nothing to compare
    rows = ArticleDraft.objects.filter(article_id=form.instance.pk).select_related("updated_by")
    if transaction.get_connection().in_atomic_block:
        rows = rows.select_for_update(of=("self",))
    draft = rows.first()
    current = draft.version if draft else 0
    if base == current:
        return
    who = draft.updated_by.get_username() if draft and draft.updated_by else ""
    form.add_error(
        None,
        f"{who or 'Someone'} changed this article's draft changes while you were editing it "
        f"(now version {current} of the draft). Nothing has been saved; your text is still in "
        "the form below. Open the article in another tab to read their draft, then save "
        "again to keep your version.",
    )
    form.data = form.data.copy()
    form.data[form.add_prefix("draft_version")] = current

"""The article admin's side of draft changes to a live article (articles/models/drafts.py).

The change form of a live article with draft changes shows the draft, and saving it writes
the draft again; readers keep the live version until an editor publishes it.
"""

from django.db.models import OuterRef, Subquery
from taggit.models import Tag

from articles.backoffice import workflow
from articles.models import Article, ArticleDraft
from articles.models.drafts import draft_label
from articles.writes import content_apply, draft_of

__all__ = ["draft_label", "draft_show", "draft_wanted", "with_draft_state"]


def with_draft_state(queryset):
    """Each article with `draft_status` and `draft_go_live_at` (None without draft changes):
    the list's state column, without loading any draft's text."""
    drafts = ArticleDraft.objects.filter(article=OuterRef("pk"))
    return queryset.annotate(
        draft_status=Subquery(drafts.values("status")[:1]),
        draft_go_live_at=Subquery(drafts.values("go_live_at")[:1]),
    )


def draft_show(article, user):
    """Put `article`'s draft changes in its fields (in memory) for the form to show.

    Sets `draft` (the draft changes or None), `shows_draft`, `draft_tags` (for the form),
    `live` (the article as readers see it), and from the stored state, before the form
    changes anything, `was_live` and `saves_as_draft`.
    """
    article.was_live = article.is_published
    article.draft = draft_of(article) if article.was_live else None
    article.shows_draft = article.draft is not None
    article.saves_as_draft = workflow.saves_as_draft(user, article)
    article.draft_tags = None
    article.live = article
    if article.shows_draft:
        article.live = Article.all_objects.get(pk=article.pk)
        names = content_apply(article, article.draft.content)
        article.draft_tags = [Tag(name=name) for name in names]
    return article


def draft_wanted(request, article):
    """Does this save of the change form write draft changes rather than the live version?"""
    if getattr(article, "saves_as_draft", False):
        return True
    return getattr(article, "was_live", False) and "_save_draft" in request.POST

"""The article admin's history: the revision list, a diff between two, and restoring one.

Ids in these URLs come from the reader (`?a=`, `?b=`, the path): they go through
`clean_pk`, so junk is "pick two revisions", never a server error (issue 12).
"""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from articles.backoffice.revisions import diff_contents, last_review, revision_restore
from articles.models import Revision
from config.admin_site import clean_pk


class RevisionViewsMixin:
    """History, compare and restore views for `ArticleAdmin`."""

    def history_view(self, request, object_id, extra_context=None):
        article = self.get_object(request, unquote(object_id))
        revisions = Revision.objects.filter(article=article) if article else Revision.objects.none()
        extra_context = {
            **(extra_context or {}),
            "revisions": revisions.select_related("user").order_by("-created_at", "-pk"),
            "last_review": last_review(article) if article else None,
        }
        return super().history_view(request, object_id, extra_context)

    def _article_for(self, request, object_id, permission):
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not permission(request, obj):
            raise PermissionDenied
        return obj

    def compare_view(self, request, object_id):
        """Word-level diff between two revisions (?a=<id>&b=<id>; b defaults to the latest).

        Without `a`: the changes since the last review (the revision an editor last sent back
        or published), or since the revision before the latest when there was none.
        """
        article = self._article_for(request, object_id, self.has_view_or_change_permission)
        revisions = Revision.objects.filter(article=article).select_related("user")
        review = last_review(article) if "a" not in request.GET else None
        if "a" not in request.GET:
            older = review or revisions[1:2].first()
        else:
            older = _revision(revisions, request.GET["a"])
        newer = (
            _revision(revisions, request.GET["b"]) if request.GET.get("b") else revisions.first()
        )
        if older is None or newer is None:
            return self.message_and_redirect(request, article, "Pick two revisions to compare.")
        if (older.created_at, older.pk) > (newer.created_at, newer.pk):
            older, newer = newer, older
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": f"Changes to “{article}”" + (" since the last review" if review else ""),
            "older": older,
            "newer": newer,
            "changes": diff_contents(older.content, newer.content),
            "can_restore": self.has_change_permission(request, article),
        }
        return TemplateResponse(request, "admin/articles/article/revision_compare.html", context)

    def restore_view(self, request, object_id, revision_id):
        article = self._article_for(request, object_id, self.has_change_permission)
        revision = get_object_or_404(Revision, pk=revision_id, article=article)
        if request.method == "POST":
            self._restore(request, revision)
            return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": "Restore this revision?",
            "revision": revision,
            "changes": diff_contents(
                Revision.objects.filter(article=article).first().content, revision.content
            ),
        }
        return TemplateResponse(request, "admin/articles/article/revision_restore.html", context)

    def _restore(self, request, revision):
        try:
            new_revision = revision_restore(revision, request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return
        when = f"{revision.created_at:%Y-%m-%d %H:%M}"
        if new_revision is None:  # a live article: the restored text waits as draft changes
            message = (
                f"The revision of {when} is now this article's draft changes; readers keep "
                "the live version until an editor publishes them."
            )
        else:
            message = (
                f"Restored the revision of {when}; the text it replaced is kept in the history."
            )
        self.message_user(request, message, messages.SUCCESS)

    def message_and_redirect(self, request, article, message):
        self.message_user(request, message, messages.WARNING)
        return HttpResponseRedirect(reverse("admin:articles_article_history", args=[article.pk]))


def _revision(revisions, raw):
    """The revision with id `raw` among `revisions`, or None (junk ids included)."""
    pk = clean_pk(Revision, raw)
    return None if pk is None else revisions.filter(pk=pk).first()

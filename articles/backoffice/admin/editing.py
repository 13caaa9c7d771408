"""The article admin's autosave and presence endpoints, and what the form's script is told.

The form's script (articles/static/articles/admin/editing.js) posts JSON here with the
form's CSRF token. Every endpoint answers JSON: 404 for an article this user cannot see, 403
for one they may not edit (or add), 400 for a body that is not an autosave, 413 for one over
ARTICLE_AUTOSAVE_MAX_BYTES, never 500. The logic is in articles/backoffice/editing.py.
"""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import HttpResponse, JsonResponse, RawPostDataException
from django.urls import reverse
from django.views.decorators.http import require_POST

from articles.backoffice import editing
from articles.backoffice.admin.base import admin_paths

NO_CONTENT = 204


def _error(message, status):
    return JsonResponse({"error": message}, status=status)


class EditingViewsMixin:
    """Autosave and presence for ArticleAdmin: URLs, views, and the change form's context."""

    def _article(self, request, object_id):
        """The article if this user may see it in the admin, else None (the endpoints answer
        404 alike for a missing article and another author's, which the page itself 403s)."""
        try:
            return self.get_object(request, unquote(object_id))
        except PermissionDenied:
            return None

    def _editable(self, request, object_id):
        """(article or None, error response or None) for an autosave of `object_id`."""
        if object_id is None:
            allowed = self.has_add_permission(request)
            return None, (None if allowed else _error("You may not add articles.", 403))
        article = self._article(request, object_id)
        if article is None:
            return None, _error("No such article.", 404)
        if not self.has_change_permission(request, article):
            return None, _error("You may not edit this article.", 403)
        return article, None

    def _body(self, request):
        """The request body, or BadPayload (413) when it is over the bound; read once."""
        limit = editing.setting("ARTICLE_AUTOSAVE_MAX_BYTES")
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            raise editing.BadPayload("The autosave is too large.", status=413)
        try:
            return request.body
        except RequestDataTooBig as error:  # over DATA_UPLOAD_MAX_MEMORY_SIZE
            raise editing.BadPayload("The autosave is too large.", status=413) from error
        except RawPostDataException as error:  # a multipart form, read by the CSRF check
            raise editing.BadPayload("The autosave is not JSON.") from error

    def autosave_view(self, request, object_id=None):
        article, refused = self._editable(request, object_id)
        if refused:
            return refused
        try:
            draft, fields = editing.parse_payload(self._body(request), new=article is None)
        except editing.BadPayload as error:
            return _error(str(error), error.status)
        saved_at = editing.autosave_store(request.user, article, draft, fields)
        return JsonResponse({"saved_at": saved_at.isoformat()})

    def autosave_discard_view(self, request, object_id=None):
        article, refused = self._editable(request, object_id)
        if refused:
            return refused
        draft = request.GET.get("draft", "")
        if article is None and not editing.DRAFT_ID.fullmatch(draft):
            return _error("A new article's autosave needs its draft id.", 400)
        editing.autosave_discard(request.user, article, draft)
        return HttpResponse(status=NO_CONTENT)

    def presence_view(self, request, object_id):
        article = self._article(request, object_id)
        if article is None or not self.has_view_or_change_permission(request, article):
            return _error("No such article.", 404)
        if self.has_change_permission(request, article):
            editing.presence_beat(request.user, article)
        return JsonResponse({"others": editing.presence_others(request.user, article)})

    def presence_leave_view(self, request, object_id):
        article = self._article(request, object_id)
        if article is None:
            return _error("No such article.", 404)
        editing.presence_leave(request.user, article)
        return HttpResponse(status=NO_CONTENT)

    # --- the change form ----------------------------------------------------------------

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["editing"] = self._editing_context(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _editing_context(self, request, obj):
        may_edit = self.has_change_permission(request, obj) if obj else True
        name = f"admin:{self.opts.app_label}_{self.opts.model_name}"
        args = [obj.pk] if obj else []
        suffix = "" if obj else "_add"
        offered = None
        if may_edit and request.method == "GET":  # a refused POST shows the typed text itself
            offered = editing.autosave_as_json(editing.autosave_for(request.user, obj))
        return {
            "autosave_url": reverse(f"{name}_autosave{suffix}", args=args) if may_edit else "",
            "discard_url": reverse(f"{name}_autosave_discard{suffix}", args=args),
            "presence_url": reverse(f"{name}_presence", args=args) if obj else "",
            "leave_url": reverse(f"{name}_presence_leave", args=args) if obj else "",
            "delay": editing.setting("ARTICLE_AUTOSAVE_DELAY"),
            "interval": editing.setting("ARTICLE_PRESENCE_INTERVAL"),
            "unsaved": request.method == "POST",
            "autosave": offered,
        }

    # A successful save makes the autosave history: Django calls these only after one.

    def response_add(self, request, obj, post_url_continue=None):
        draft = request.POST.get("_autosave_draft", "")
        editing.autosave_discard(request.user, None, draft)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        editing.autosave_discard(request.user, obj)
        return super().response_change(request, obj)

    def get_urls(self):
        routes = [
            ("autosave/", self.autosave_view, "autosave_add"),
            ("autosave/discard/", self.autosave_discard_view, "autosave_discard_add"),
            ("<path:object_id>/autosave/", self.autosave_view, "autosave"),
            ("<path:object_id>/autosave/discard/", self.autosave_discard_view, "autosave_discard"),
            ("<path:object_id>/presence/", self.presence_view, "presence"),
            ("<path:object_id>/presence/leave/", self.presence_leave_view, "presence_leave"),
        ]
        return [*admin_paths(self, routes, decorate=require_POST), *super().get_urls()]

"""The article admin's Preview: the posted, unsaved form in the site's article template.

A GET of an article's preview URL shows its saved state instead: where "View on site" leads
for an article readers cannot see yet (the public page would answer 404).
"""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from articles.backoffice import workflow
from articles.backoffice.preview import render_preview
from articles.rendering.article import article_derive


class PreviewViewMixin:
    def preview_view(self, request, object_id=None):
        """Render the posted, unsaved form in the site's article template."""
        if request.method != "POST":
            return self.saved_preview(request, object_id)
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        if object_id and obj is None:
            raise PermissionDenied
        allowed = (
            self.has_change_permission(request, obj) if obj else self.has_add_permission(request)
        )
        if not allowed:
            raise PermissionDenied
        form_class = self.get_form(request, obj, change=obj is not None)
        form = form_class(request.POST, request.FILES, instance=obj)
        form.check_conflicts = False
        form.is_valid()
        article = form.instance
        if not workflow.can_publish(request.user) and article.author_id is None:
            article.author = workflow.author_for_user(request.user)
        errors = [f"{field}: {' '.join(errs)}" for field, errs in form.errors.items()]
        if article.category_id is None or article.author_id is None:
            context = {**self.admin_site.each_context(request), "errors": errors}
            return TemplateResponse(request, "admin/articles/article/preview_error.html", context)
        article_derive(article)  # derived for the page, never stored
        errors += [f"Body: {note}" for note in article.removed_markup]
        tags = form.cleaned_data.get("tags")
        if tags is None:
            tags = [tag.name for tag in obj.tags.all()] if obj else []
        return render_preview(request, article, tags, errors=errors)

    def saved_preview(self, request, object_id):
        """The saved article in the site's template, for whoever may see it in the admin."""
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        if obj is None:
            return HttpResponseRedirect(reverse("admin:articles_article_changelist"))
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        if obj.is_published:
            return HttpResponseRedirect(obj.get_absolute_url())
        return render_preview(request, obj, [tag.name for tag in obj.tags.all()])

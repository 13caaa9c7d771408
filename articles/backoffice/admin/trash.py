"""The back office's trash: deleted articles, restored in one click or emptied for good."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from articles.announce import announcing
from articles.backoffice import workflow
from articles.models import TrashedArticle


@admin.register(TrashedArticle)
class TrashAdmin(admin.ModelAdmin):
    """Deleted articles. Restoring is one click; deleting for good is a separate step."""

    list_display = ["title", "status", "author", "deleted_at", "deleted_by"]
    list_select_related = ["author", "deleted_by"]
    search_fields = ["title"]
    actions = ["restore"]
    change_list_template = "admin/articles/trashedarticle/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_restore_permission(self, request):
        return workflow.can_trash(request.user)

    @admin.action(description="Restore selected articles", permissions=["restore"])
    def restore(self, request, queryset):
        with transaction.atomic(), announcing():
            for article in queryset:
                workflow.article_restore(article, request.user)
        self.message_user(request, f"{len(queryset)} article(s) restored.", messages.SUCCESS)

    def delete_queryset(self, request, queryset):
        workflow.trash_empty(request.user, list(queryset))

    def delete_model(self, request, obj):
        workflow.trash_empty(request.user, [obj])

    def changelist_view(self, request, extra_context=None):
        # The change list's context has no delete permission of its own: say it for the button.
        extra_context = {**(extra_context or {}), "can_empty_trash": self.can_empty(request)}
        return super().changelist_view(request, extra_context)

    def can_empty(self, request):
        return self.has_delete_permission(request) and workflow.can_trash(request.user)

    def get_urls(self):
        name = "articles_trashedarticle_empty"
        return [
            path("empty/", self.admin_site.admin_view(self.empty_view), name=name),
            *super().get_urls(),
        ]

    def empty_view(self, request):
        """Confirm, then delete everything in the trash for good."""
        if not self.can_empty(request):
            raise PermissionDenied
        if request.method == "POST":
            count = workflow.trash_empty(request.user)
            self.message_user(request, f"The trash is empty: {count} article(s) deleted for good.")
            return HttpResponseRedirect(reverse("admin:articles_trashedarticle_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Empty the trash?",
            "articles": TrashedArticle.objects.all(),
        }
        return TemplateResponse(request, "admin/articles/trashedarticle/empty.html", context)

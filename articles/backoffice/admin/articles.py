"""The article admin: who sees and edits what, list columns, saving, the change form.

Rights are enforced here on the server (querysets, read-only fields, permission checks) and
again in articles/backoffice/workflow.py, never only by hiding buttons. Saving goes through
the one write path (articles/writes.py). The workflow actions, the preview and the revision
views are mixins beside this module.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db import router, transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from taggit.managers import TaggableManager

from articles.announce import announcing
from articles.backoffice import editing, workflow
from articles.backoffice.admin.article_actions import WorkflowActionsMixin
from articles.backoffice.admin.article_drafts import (
    draft_label,
    draft_show,
    draft_wanted,
    with_draft_state,
)
from articles.backoffice.admin.article_editor import EditorEndpointsMixin
from articles.backoffice.admin.article_preview import PreviewViewMixin
from articles.backoffice.admin.base import admin_paths, warn_removed_markup
from articles.backoffice.admin.editing import EditingViewsMixin
from articles.backoffice.admin.revisions import RevisionViewsMixin
from articles.backoffice.forms import ArticleAdminForm
from articles.backoffice.preview import share_url
from articles.backoffice.revisions import revision_baseline
from articles.models import Article
from articles.writes import article_save
from config.admin_site import clean_pk
from config.lib.tagging import TagAutocompleteWidget
from config.lib.widgets import named_autocomplete

Status = Article.Status
DRAFT_CHANGES = "draft_changes"
DRAFT_SAVED = (
    "Saved as draft changes: readers keep the live version until an editor publishes them."
)


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            *Status.choices,
            ("scheduled", "Scheduled"),
            (DRAFT_CHANGES, "Live + draft changes"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "scheduled":
            return queryset.scheduled()
        if self.value() == DRAFT_CHANGES:
            return queryset.published().filter(draft_changes__isnull=False)
        if self.value() == Status.PUBLISHED:
            return queryset.published()
        if self.value() in (Status.DRAFT, Status.REVIEW):
            return queryset.filter(status=self.value())
        return queryset


class ArticleChangeList(ChangeList):
    """The article list, without what its columns never show."""

    def get_results(self, request):
        # Not the tags (the change form and actions keep their prefetch) nor the text and
        # HTML of each body, about 25 KB a row on a real article, 100 rows a page.
        self.queryset = self.queryset.prefetch_related(None).defer(*LIST_DEFERRED)
        super().get_results(request)


LIST_DEFERRED = ["body", "body_html", "toc_html"]


@admin.register(Article)
class ArticleAdmin(
    WorkflowActionsMixin,
    PreviewViewMixin,
    EditorEndpointsMixin,
    RevisionViewsMixin,
    EditingViewsMixin,
    admin.ModelAdmin,
):
    form = ArticleAdminForm
    list_display = ["title", "state", "is_live", "published_at", "author", "category", "updated_at"]
    list_filter = [StateFilter, "category", "author"]
    search_fields = ["title", "dek"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["author", "category", "hero_image"]
    date_hierarchy = "published_at"
    list_select_related = ["author", "category"]
    formfield_overrides = {TaggableManager: {"widget": TagAutocompleteWidget}}
    change_form_template = "admin/articles/article/change_form.html"
    object_history_template = "admin/articles/article/object_history.html"
    delete_confirmation_template = "admin/articles/article/delete_confirmation.html"

    class Media:
        css = {
            "all": [
                "articles/editorial.css",
                "articles/admin/editing.css",
                "articles/editor/editor.css",
            ]
        }
        # One module per feature: autosave, recovery, leave warning and presence (issue 14);
        # the editor (issue 16); the slug that keeps version dots apart; select2's names.
        js = [
            "articles/admin/editing.js",
            "js/slug-keeps-versions.js",
            "js/select2-names.js",
            "articles/editor/text.js",
            "articles/editor/live-preview.js",
            "articles/editor/toolbar.js",
            "articles/editor/image-drop.js",
            "articles/editor/reference-autocomplete.js",
        ]

    # --- who sees and edits what -------------------------------------------------------

    def get_queryset(self, request):
        queryset = with_draft_state(super().get_queryset(request).prefetch_related("tags"))
        if workflow.can_publish(request.user):
            return queryset
        return queryset.filter(author__user=request.user)  # authors: their own articles

    def get_object(self, request, object_id, from_field=None):
        """The article; a live one with draft changes carries them, for the form to show."""
        opened = getattr(request, "_article_opened", None)
        if opened is not None and from_field is None and str(opened.pk) == object_id:
            return opened
        obj = super().get_object(request, object_id, from_field)
        if obj is None and from_field is None:
            # Another author's article is not "missing, perhaps deleted": say so (a 403).
            pk = clean_pk(Article, object_id)
            if pk is not None and Article.objects.filter(pk=pk).exists():
                raise PermissionDenied("You may not see this article: it is another author's.")
        if obj is not None:
            draft_show(obj, request.user)
        return obj

    def get_changelist(self, request, **kwargs):
        return ArticleChangeList

    def has_publish_permission(self, request, obj=None):
        return workflow.can_publish(request.user)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or workflow.can_edit(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        # "Delete" moves to the trash: editors any article, authors their own drafts.
        user = request.user
        if obj is None:
            return super().has_delete_permission(request) or user.has_perm(
                "articles.change_article"
            )
        return workflow.can_move_to_trash(user, obj)

    def get_deleted_objects(self, objs, request):
        # Nothing is deleted (revisions stay with the article in the trash): list the
        # articles only, and ask for no permission on what a real delete would cascade to.
        return [str(obj) for obj in objs], {}, set(), []

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.user = request.user  # a class made for this request: the workflow checks
        return form

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (None, {"fields": ["title", "slug", "dek", "body", "hero_image", "tags"]}),
            ("Byline", {"fields": ["category", "author"]}),
            ("Publication", {"fields": ["status", "published_at", "review_comment"]}),
            (
                "Search engines",
                {"fields": ["seo_title", "seo_description"], "classes": ["collapse"]},
            ),
        ]
        if obj is not None:
            fieldsets[2][1]["fields"].append("share_link")
        if self.has_change_permission(request, obj):
            fieldsets[0][1]["fields"] += ["base_version", "draft_version"]
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = ["share_link"]
        if not workflow.can_publish(request.user):
            readonly += ["author", "status", "published_at", "review_comment"]
        elif getattr(obj, "shows_draft", False):
            readonly += ["status", "published_at"]  # draft changes hold content only
        return readonly

    def get_prepopulated_fields(self, request, obj=None):
        return self.prepopulated_fields if self.has_change_permission(request, obj) else {}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs = named_autocomplete(self, db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # --- list columns -------------------------------------------------------------------

    @admin.display(description="state", ordering="status")
    def state(self, obj):
        if obj.is_published and obj.draft_status:
            return draft_label(obj.draft_status, obj.draft_go_live_at)
        return "Scheduled" if obj.is_scheduled else obj.get_status_display()

    def action_checkbox(self, obj):
        # Django's own markup, without a trip through the form renderer's templates for each
        # of the page's 100 rows (a third of a millisecond each).
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            format_html(gettext("Select this object for an action - {}"), str(obj)),
        )

    @admin.display(description="live", boolean=True)
    def is_live(self, obj):
        return obj.is_published

    @admin.display(description="share preview")
    def share_link(self, obj):
        if obj is None or obj.pk is None or (obj.is_published and not obj.shows_draft):
            return "—"
        return format_html(
            '<a href="{}" class="share-preview" target="_blank" rel="noopener">'
            "Share preview link</a><div class='help'>Copy this link: anyone who has it can read "
            "the saved draft, without an account, for 7 days. Editors can revoke every link "
            "given out so far (Workflow: Revoke share links).</div>",
            share_url(obj),
        )

    def get_view_on_site_url(self, obj=None):
        # Readers cannot see a draft, one in review or a scheduled one: its public URL is a
        # 404, so "View on site" opens the preview of the saved article instead.
        if obj is not None and obj.pk is not None and not obj.is_published:
            return reverse("admin:articles_article_preview", args=[obj.pk])
        return super().get_view_on_site_url(obj)

    # --- saving -------------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        # The whole write, tags and revision included (and an author's first byline), through
        # the one write path, announced once; `save_related` leaves the form's tags alone.
        # A workflow button writes the form's fields and its step as one save, one revision.
        with announcing():
            if form.step is not None:
                name, kwargs = form.step
                step = workflow.FORM_STEPS[name][1]
                if change and draft_wanted(request, obj):
                    # A live article: the fields as typed are its draft changes, which the
                    # step then takes (submit, publish, schedule, send back, unpublish).
                    article_save(obj, request.user, tags=form.edits().tags, draft=True)
                    step(obj, request.user, **kwargs)
                else:
                    step(obj, request.user, edits=form.edits(), **kwargs)
                obj.refresh_from_db()
                return
            if not workflow.can_publish(request.user) and not change:
                obj.author = workflow.author_for_user(request.user)
                obj.status = Status.DRAFT
            tags = form.cleaned_data.get("tags") if "tags" in form.fields else None
            if change and draft_wanted(request, obj):
                article_save(obj, request.user, tags=tags, draft=True)
                self.message_user(request, DRAFT_SAVED, messages.INFO)
                return
            article_save(obj, request.user, note="Saved" if change else "Created", tags=tags)
            if form.merged:
                _say_merged(self, request, form.merged)

    def response_change(self, request, obj):
        name = request.POST.get("_workflow")
        if "_save_draft" in request.POST:  # back to the form, which now shows the draft
            request.POST = request.POST.copy()
            request.POST["_continue"] = "1"
        if name not in workflow.FORM_STEPS:
            return super().response_change(request, obj)
        done = workflow.FORM_STEPS[name][2]
        editing.autosave_discard(request.user, obj)  # saved: as the plain save does (mixin)
        self.message_user(request, f"“{obj}” saved and {done}.", messages.SUCCESS)
        return HttpResponseRedirect(request.path)

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
        warn_removed_markup(self, request, form.instance)
        missing = form.instance.missing_references
        if missing:
            self.message_user(
                request,
                "Saved, but these references point at nothing yet, or at an article readers "
                "cannot see yet, and show as plain text: "
                + ", ".join(f"[[{ref}]]" for ref in missing)
                + ". They become links once that catalog entry exists or that article is "
                "published.",
                messages.WARNING,
            )
        for notice in form.instance.reference_notices:
            self.message_user(request, f"Saved, but {notice}.", messages.WARNING)

    def delete_model(self, request, obj):
        workflow.article_trash(obj, request.user)

    def delete_queryset(self, request, queryset):
        with transaction.atomic(), announcing():
            for article in queryset:
                workflow.article_trash(article, request.user)

    def response_delete(self, request, obj_display, obj_id):
        self.message_user(
            request, f"“{obj_display}” was moved to the trash. Editors can restore it from there."
        )
        return HttpResponseRedirect(reverse("admin:articles_article_changelist"))

    # --- change form, preview, revisions ----------------------------------------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id and request.method == "POST":
            # The article is read once, inside the save's transaction as in Django's own view
            # (on SQLite that transaction takes the write lock before anything is read).
            with transaction.atomic(using=router.db_for_write(self.model)):
                return self._article_changeform(request, object_id, form_url, extra_context)
        return self._article_changeform(request, object_id, form_url, extra_context)

    def _article_changeform(self, request, object_id, form_url, extra_context):
        extra_context = extra_context or {}
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        if obj is not None and request.method == "GET":
            revision_baseline(obj.live if obj.shows_draft else obj)
        if obj is None:
            return super().changeform_view(request, object_id, form_url, extra_context)
        extra_context["workflow"] = self.workflow_buttons(request, obj)
        # Django's view asks get_object for the same article again: it gets this one, not a
        # second read of the row, its tags and its draft state.
        request._article_opened = obj
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        finally:
            del request._article_opened

    def render_change_form(self, request, context, *args, **kwargs):
        # The workflow panel replaces Django's action menu on this page: that menu sits inside
        # the article form, where pressing Enter in a field would run it instead of saving.
        context["action_form"] = None
        return super().render_change_form(request, context, *args, **kwargs)

    def workflow_buttons(self, request, obj):
        user, editor = request.user, workflow.can_publish(request.user)
        draft = obj.draft if obj.is_published else None
        return {
            "submit": workflow.can_edit(user, obj)
            and (draft.status == draft.Status.DRAFT if draft else obj.status == Status.DRAFT),
            "withdraw": not editor and workflow.can_withdraw(user, obj),
            "publish": editor and (draft is not None or not obj.is_published),
            "discard_draft": draft is not None and (editor or workflow.can_edit(user, obj)),
            "save_draft": editor and obj.is_published and draft is None,
            "draft": draft,
            "schedule": editor,
            "unpublish": editor and obj.status == Status.PUBLISHED,
            "send_back": editor and obj.status != Status.DRAFT,
            "revoke_share": editor,
        }

    def get_urls(self):
        routes = [
            ("preview/", self.preview_view, "preview_add"),
            ("editor/preview/", self.live_preview_view, "live_preview"),
            ("editor/image/", self.image_upload_view, "image_upload"),
            ("editor/references/", self.reference_search_view, "references"),
            ("<path:object_id>/preview/", self.preview_view, "preview"),
            ("<path:object_id>/revisions/compare/", self.compare_view, "compare"),
            ("<path:object_id>/revisions/<int:revision_id>/restore/", self.restore_view, "restore"),
        ]
        return [*admin_paths(self, routes), *super().get_urls()]


def _say_merged(model_admin, request, merged):
    who = merged["user"] or "someone"
    kept = ", ".join(merged["kept"])
    text = f"Merged with the save {who} made meanwhile (version {merged['version']})"
    text += f": their changes to {kept} are kept." if kept else "."
    model_admin.message_user(request, text, messages.INFO)

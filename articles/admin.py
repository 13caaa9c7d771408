"""The back office: Django's admin, configured for the editorial workflow (issue 5).

Rights are enforced here on the server (querysets, read-only fields, permission checks) and
again in articles/workflow.py, never only by hiding buttons.
"""

from django.contrib import admin, messages
from django.contrib.admin import ActionLocation
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from taggit.managers import TaggableManager

from articles import workflow
from articles.admin_revisions import RevisionViewsMixin
from articles.forms import (
    ArticleAdminForm,
    AuthorAdminForm,
    ImageAdminForm,
    ScheduleForm,
    SendBackForm,
)
from articles.images import image_ingest
from articles.models import Article, Author, Category, Image
from articles.preview import render_preview, share_url
from articles.revisions import revision_baseline, revision_create
from config.lib.tagging import TagAutocompleteWidget

BOTH = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]
Status = Article.Status


def warn_removed_markup(model_admin, request, obj):
    """Tell the writer what rendering took out (config/lib/raw_text.py), one message per part."""
    for note in getattr(obj, "removed_markup", []):
        model_admin.message_user(request, f"Saved, but: {note}", messages.WARNING)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    form = AuthorAdminForm
    list_display = ["name", "slug", "user"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]
    autocomplete_fields = ["user"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        warn_removed_markup(self, request, obj)


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    form = ImageAdminForm
    list_display = ["thumbnail", "alt", "dimensions", "credit", "markdown", "created_at"]
    search_fields = ["alt", "caption", "credit"]
    readonly_fields = ["preview", "markdown", "dimensions"]

    class Media:
        css = {"all": ["articles/editorial.css"]}

    @admin.display(description="")
    def thumbnail(self, obj):
        return format_html(
            '<img src="{}" alt="" width="80" loading="lazy">', obj.file.url if obj.file else ""
        )

    @admin.display(description="image")
    def preview(self, obj):
        if not obj.pk:
            return "—"
        return format_html(
            '<img src="{}" srcset="{}" sizes="40rem" alt="{}" class="image-preview">',
            obj.file.url,
            obj.webp_srcset,
            obj.alt,
        )

    @admin.display(description="use in Markdown")
    def markdown(self, obj):
        return format_html("<code>![{}](image:{})</code>", obj.alt, obj.pk) if obj.pk else "—"

    @admin.display(description="size")
    def dimensions(self, obj):
        return f"{obj.width} × {obj.height}" if obj.pk else "—"

    def save_model(self, request, obj, form, change):
        if "file" in form.changed_data:
            upload = form.cleaned_data["file"]
            image_ingest(obj, upload, user=request.user, stripped=form.stripped)
        else:
            obj.save()


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [*Status.choices, ("scheduled", "Scheduled")]

    def queryset(self, request, queryset):
        if self.value() == "scheduled":
            return queryset.scheduled()
        if self.value() == Status.PUBLISHED:
            return queryset.published()
        if self.value() in (Status.DRAFT, Status.REVIEW):
            return queryset.filter(status=self.value())
        return queryset


@admin.register(Article)
class ArticleAdmin(RevisionViewsMixin, admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = ["title", "state", "is_live", "published_at", "author", "category", "updated_at"]
    list_filter = [StateFilter, "category", "author"]
    search_fields = ["title", "dek"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["author", "category", "hero_image"]
    date_hierarchy = "published_at"
    list_select_related = ["author", "category"]
    actions = [
        "submit_for_review", "publish_now", "schedule", "unpublish", "send_back", "trash",
        "revoke_share_links",
    ]  # fmt: skip
    formfield_overrides = {TaggableManager: {"widget": TagAutocompleteWidget}}
    change_form_template = "admin/articles/article/change_form.html"
    object_history_template = "admin/articles/article/object_history.html"
    delete_confirmation_template = "admin/articles/article/delete_confirmation.html"

    class Media:
        css = {"all": ["articles/editorial.css"]}

    # --- who sees and edits what -------------------------------------------------------

    def get_queryset(self, request):
        queryset = super().get_queryset(request).prefetch_related("tags")
        if workflow.can_publish(request.user):
            return queryset
        return queryset.filter(author__user=request.user)  # authors: their own articles

    def has_publish_permission(self, request, obj=None):
        return workflow.can_publish(request.user)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or workflow.can_edit(request.user, obj))

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
            fieldsets[0][1]["fields"].append("base_version")
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = ["share_link"]
        if not workflow.can_publish(request.user):
            readonly += ["author", "status", "published_at", "review_comment"]
        return readonly

    def get_prepopulated_fields(self, request, obj=None):
        return self.prepopulated_fields if self.has_change_permission(request, obj) else {}

    # --- list columns -------------------------------------------------------------------

    @admin.display(description="state", ordering="status")
    def state(self, obj):
        return "Scheduled" if obj.is_scheduled else obj.get_status_display()

    @admin.display(description="live", boolean=True)
    def is_live(self, obj):
        return obj.is_published

    @admin.display(description="share preview")
    def share_link(self, obj):
        if obj is None or obj.pk is None or obj.is_published:
            return "—"
        return format_html(
            '<a href="{}" class="share-preview" target="_blank" rel="noopener">'
            "Share preview link</a><div class='help'>Copy this link: anyone who has it can read "
            "the saved draft, without an account, for 7 days. Editors can revoke every link "
            "given out so far (Workflow: Revoke share links).</div>",
            share_url(obj),
        )

    # --- saving -------------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        if not workflow.can_publish(request.user):
            if not change:
                obj.author = workflow.author_for_user(request.user)
                obj.status = Status.DRAFT
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        revision_create(form.instance, request.user, note="Saved" if change else "Created")
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

    def delete_model(self, request, obj):
        workflow.article_trash(obj, request.user)

    def delete_queryset(self, request, queryset):
        for article in queryset:
            workflow.article_trash(article, request.user)

    def response_delete(self, request, obj_display, obj_id):
        self.message_user(
            request, f"“{obj_display}” was moved to the trash. Editors can restore it from there."
        )
        return HttpResponseRedirect(reverse("admin:articles_article_changelist"))

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)  # replaced by "trash", which can be undone
        return actions

    def response_action(self, request, queryset, action_location=ActionLocation.CHANGE_LIST):
        # A known action that this user may not run is a forged request: refuse it outright
        # rather than letting the form quietly report "no action selected".
        prefix = (
            "" if action_location == ActionLocation.CHANGE_LIST else f"{action_location.value}-"
        )
        names = set(request.POST.getlist(f"{prefix}action"))
        allowed = self.get_actions(request, action_location=action_location)
        if names & (set(self.actions) - set(allowed)):
            raise PermissionDenied
        return super().response_action(request, queryset, action_location=action_location)

    # --- workflow actions ---------------------------------------------------------------

    def _apply(self, request, queryset, step, done, **kwargs):
        changed = 0
        for article in queryset.select_related("author"):
            try:
                step(article, request.user, **kwargs)
                changed += 1
            except (workflow.WorkflowError, PermissionDenied) as error:
                message = str(error) or "You may not do that."
                self.message_user(request, f"“{article}”: {message}", messages.WARNING)
        if changed:
            self.message_user(request, f"{changed} article(s) {done}.", messages.SUCCESS)

    @admin.action(description="Submit for review", location=BOTH)
    def submit_for_review(self, request, queryset):
        self._apply(request, queryset, workflow.article_submit, "submitted for review")

    @admin.action(description="Publish now", permissions=["publish"], location=BOTH)
    def publish_now(self, request, queryset):
        self._apply(request, queryset, workflow.article_publish, "published")

    @admin.action(description="Unpublish (back to draft)", permissions=["publish"], location=BOTH)
    def unpublish(self, request, queryset):
        self._apply(request, queryset, workflow.article_unpublish, "unpublished")

    @admin.action(description="Schedule…", permissions=["publish"], location=BOTH)
    def schedule(self, request, queryset):
        form = ScheduleForm(request.POST if "published_at" in request.POST else None)
        if form.is_valid():
            when = form.cleaned_data["published_at"]
            self._apply(request, queryset, workflow.article_schedule, "scheduled", when=when)
            return None
        return self._intermediate(request, queryset, "schedule", "Schedule", form)

    @admin.action(
        description="Send back to draft with a comment…", permissions=["publish"], location=BOTH
    )
    def send_back(self, request, queryset):
        form = SendBackForm(request.POST if "comment" in request.POST else None)
        if form.is_valid():
            comment = form.cleaned_data["comment"]
            self._apply(request, queryset, workflow.article_send_back, "sent back", comment=comment)
            return None
        return self._intermediate(request, queryset, "send_back", "Send back to draft", form)

    @admin.action(description="Revoke share preview links", permissions=["publish"], location=BOTH)
    def revoke_share_links(self, request, queryset):
        step = workflow.article_revoke_share_links
        self._apply(request, queryset, step, "had their share links revoked")

    @admin.action(description="Move to the trash", permissions=["delete"], location=BOTH)
    def trash(self, request, queryset):
        self._apply(request, queryset, workflow.article_trash, "moved to the trash")

    def _intermediate(self, request, queryset, action, title, form):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "action": action,
            "articles": queryset,
            "form": form,
        }
        return TemplateResponse(request, "admin/articles/article/workflow_action.html", context)

    # --- change form, preview, revisions ----------------------------------------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = extra_context or {}
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        if obj is not None and request.method == "GET":
            revision_baseline(obj)
        if obj is not None:
            extra_context["workflow"] = self.workflow_buttons(request, obj)
            extra_context["schedule_form"] = ScheduleForm()
            extra_context["send_back_form"] = SendBackForm()
        return super().changeform_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, *args, **kwargs):
        # The workflow panel replaces Django's action menu on this page: that menu sits inside
        # the article form, where pressing Enter in a field would run it instead of saving.
        context["action_form"] = None
        return super().render_change_form(request, context, *args, **kwargs)

    def workflow_buttons(self, request, obj):
        user, editor = request.user, workflow.can_publish(request.user)
        return {
            "submit": obj.status == Status.DRAFT and workflow.can_edit(user, obj),
            "publish": editor and not obj.is_published,
            "schedule": editor,
            "unpublish": editor and obj.status == Status.PUBLISHED,
            "send_back": editor and obj.status != Status.DRAFT,
            "revoke_share": editor,
        }

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("preview/", wrap(self.preview_view), name=f"{prefix}_preview_add"),
            path("<path:object_id>/preview/", wrap(self.preview_view), name=f"{prefix}_preview"),
            path(
                "<path:object_id>/revisions/compare/",
                wrap(self.compare_view),
                name=f"{prefix}_compare",
            ),
            path(
                "<path:object_id>/revisions/<int:revision_id>/restore/",
                wrap(self.restore_view),
                name=f"{prefix}_restore",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request, object_id=None):
        """Render the posted, unsaved form in the site's article template."""
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:articles_article_changelist"))
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
        article.render()
        errors += [f"Body: {note}" for note in article.removed_markup]
        tags = form.cleaned_data.get("tags")
        if tags is None:
            tags = [tag.name for tag in obj.tags.all()] if obj else []
        return render_preview(request, article, tags, errors=errors)


from articles import admin_tags, admin_trash  # noqa: E402,F401  (tags, the trash)

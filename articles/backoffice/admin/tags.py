"""The back office for the shared tag vocabulary: descriptions, rename, merge, suggestions."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import ActionLocation, helpers
from django.db.models import Count
from django.db.models.functions import Lower
from django.http import JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from taggit.models import Tag

from articles.backoffice.tags import tag_is_used, tag_merge, tag_suggestions
from articles.models import TagDescription
from config.lib.tagging import normalize_tag_name, tag_name_problem


class TagForm(forms.ModelForm):
    class Meta:
        model = Tag
        fields = ["name", "slug"]

    def clean_name(self):
        if message := tag_name_problem(self.cleaned_data["name"]):
            raise forms.ValidationError(message)
        name = normalize_tag_name(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError("A tag needs a name.")
        clash = Tag.objects.annotate(key=Lower("name")).filter(key=name.lower())
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(
                f"A tag named “{clash.get().name}” already exists; merge the two instead."
            )
        return name


class MergeForm(forms.Form):
    survivor = forms.ModelChoiceField(
        queryset=Tag.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        help_text="Everything tagged with the other tags will carry this one instead.",
    )

    def __init__(self, *args, tags, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survivor"].queryset = tags


class TagDescriptionInline(admin.StackedInline):
    model = TagDescription
    can_delete = False
    extra = 1
    max_num = 1


class TagAdmin(admin.ModelAdmin):
    form = TagForm
    inlines = [TagDescriptionInline]
    list_display = ["name", "slug", "article_count", "model_count"]
    search_fields = ["name"]
    ordering = [Lower("name")]
    prepopulated_fields = {"slug": ["name"]}
    actions = ["merge_tags", "delete_unused"]
    list_per_page = 50

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                article_total=Count("articles_taggedarticle_items", distinct=True),
                model_total=Count("models_catalog_taggedmodel_items", distinct=True),
            )
        )

    @admin.display(description="articles", ordering="article_total")
    def article_count(self, tag):
        return tag.article_total

    @admin.display(description="catalog entries", ordering="model_total")
    def model_count(self, tag):
        return tag.model_total

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)  # only unused tags may be deleted
        return actions

    def has_delete_permission(self, request, obj=None):
        if obj is not None and tag_is_used(obj):
            return False  # a tag in use is merged into another, never silently dropped
        return super().has_delete_permission(request, obj)

    def get_urls(self):
        return [
            path(
                "suggest/",
                self.admin_site.admin_view(self.suggest_view),
                name="taggit_tag_suggest",
            ),
            *super().get_urls(),
        ]

    def suggest_view(self, request):
        """JSON suggestions for the tag widget: at most ten names starting with `q`."""
        names = [tag.name for tag in tag_suggestions(request.GET.get("q", "")[:100])]
        return JsonResponse({"results": names})

    @admin.action(description="Merge selected tags…", permissions=["change", "delete"])
    def merge_tags(self, request, queryset):
        tags = queryset.order_by(Lower("name"))
        if tags.count() < 2:
            self.message_user(request, "Select at least two tags to merge.", messages.WARNING)
            return None
        form = MergeForm(request.POST if "survivor" in request.POST else None, tags=tags)
        if form.is_valid():
            survivor = form.cleaned_data["survivor"]
            others = [tag for tag in tags if tag.pk != survivor.pk]
            moved = tag_merge(survivor, others)
            names = ", ".join(tag.name for tag in others)
            self.message_user(
                request, f"Merged {names} into “{survivor.name}” ({moved} items retagged)."
            )
            return redirect(request.get_full_path())
        context = {
            **self.admin_site.each_context(request),
            "title": "Merge tags",
            "opts": self.model._meta,
            "form": form,
            "tags": tags,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/taggit/tag/merge.html", context)

    @admin.action(description="Delete selected tags that nothing uses", permissions=["delete"])
    def delete_unused(self, request, queryset):
        unused = queryset.filter(article_total=0, model_total=0)
        kept = queryset.count() - unused.count()
        deleted = (
            Tag.objects.filter(pk__in=[tag.pk for tag in unused]).delete()[1].get("taggit.Tag", 0)
        )
        self.message_user(request, f"Deleted {deleted} unused tags.")
        if kept:
            self.message_user(
                request,
                f"Kept {kept} tags still in use; merge them into another tag instead.",
                messages.WARNING,
            )


if admin.site.is_registered(Tag):
    admin.site.unregister(Tag)
admin.site.register(Tag, TagAdmin)

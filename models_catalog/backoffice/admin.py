"""The catalog's back office: every save and delete goes through models_catalog/writes.py."""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.db import models
from taggit.managers import TaggableManager

from config.lib.tagging import TagAutocompleteWidget
from models_catalog import writes
from models_catalog.changes import WriteContext
from models_catalog.models import AIModel, License, OpennessGrade, Organization, PricePoint

TAG_ONLY_FIELDS = ["tags"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "country", "homepage"]
    list_filter = ["country"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def save_model(self, request, obj, form, change):
        writes.organization_save(obj, _context(request))

    def delete_model(self, request, obj):
        writes.organization_delete(obj, _context(request))

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            writes.organization_delete(obj, _context(request))


@admin.register(License)
class LicenseAdmin(admin.ModelAdmin):
    list_display = ["name", "spdx_id", "kind", "osi_approved", "commercial_use"]
    list_filter = ["kind", "osi_approved", "commercial_use"]
    search_fields = ["name", "spdx_id"]

    def save_model(self, request, obj, form, change):
        writes.license_save(obj, _context(request))

    def delete_model(self, request, obj):
        writes.license_delete(obj, _context(request))

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            writes.license_delete(obj, _context(request))


class OpennessGradeInline(admin.TabularInline):
    model = OpennessGrade
    extra = 0
    max_num = 14
    fields = ["dimension", "grade", "link", "notes", "reason"]

    def has_view_permission(self, request, obj=None):
        # Taggers see the grades (read-only) on the form they may open.
        return super().has_view_permission(request, obj) or _can_tag(request)


class PricePointInline(admin.TabularInline):
    """Dated prices: the entry's current price of a unit is its latest point."""

    model = PricePoint
    extra = 0
    fields = ["unit", "amount", "condition", "as_of", "source_url"]

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or _can_tag(request)


@admin.register(AIModel)
class AIModelAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "organization",
        "kind",
        "weights",
        "release_date",
        "openness_class",
        "openness_score",
    ]
    list_filter = ["kind", "weights", "openness_class", "license__kind", "api", "organization"]
    list_select_related = ["organization"]
    search_fields = ["name", "slug", "family", "summary", "organization__name"]
    autocomplete_fields = ["organization", "license"]
    formfield_overrides = {
        TaggableManager: {"widget": TagAutocompleteWidget},
        models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple},  # the modalities
    }
    prepopulated_fields = {"slug": ["name"]}
    date_hierarchy = "release_date"
    inlines = [PricePointInline, OpennessGradeInline]
    readonly_fields = [
        "openness_score", "openness_class", "price_input_per_mtok", "price_output_per_mtok"
    ]  # fmt: skip
    fieldsets = [
        (None, {"fields": ["name", "slug", "organization", "family", "kind", "summary"]}),
        ("Release", {"fields": ["release_date", "release_date_precision"]}),
        ("Licence and access", {"fields": ["license", "weights", "api"]}),
        (
            "Size and modalities",
            {
                "fields": [
                    "parameters",
                    "active_parameters",
                    "context_window",
                    "input_modalities",
                    "output_modalities",
                ]
            },
        ),
        (
            "Sources (a fact without its own source takes these)",
            {"fields": ["source_url", "as_of", "fact_sources", "not_applicable"]},
        ),
        (
            "Current prices (the latest price points below)",
            {"fields": ["price_input_per_mtok", "price_output_per_mtok"]},
        ),
        ("Links", {"fields": ["homepage_url", "model_card_url", "paper_url", "weights_url"]}),
        ("Description", {"fields": ["description", "tags"]}),
        ("Openness (derived from the grades below)", {"fields": readonly_fields[:2]}),
    ]

    # Authors with `tag_aimodel` but not `change_aimodel` may edit the tags and nothing else:
    # every other field is read-only, so it is left out of the form and a forged POST
    # cannot reach it.
    def _tag_only(self, request):
        return not request.user.has_perm("models_catalog.change_aimodel") and _can_tag(request)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) or _can_tag(request)

    def get_readonly_fields(self, request, obj=None):
        if self._tag_only(request):
            fields = flatten_fieldsets(self.get_fieldsets(request, obj))
            return [name for name in fields if name not in TAG_ONLY_FIELDS]
        return super().get_readonly_fields(request, obj)

    def get_prepopulated_fields(self, request, obj=None):
        return {} if self._tag_only(request) else super().get_prepopulated_fields(request, obj)

    def save_model(self, request, obj, form, change):
        """Nothing yet: the entry is written in save_related, with its tags and grades."""

    def save_related(self, request, form, formsets, change):
        # One write: the row, then the form's tags and the grade inline once it has a key,
        # then the openness derived from those grades, announced once.
        def related(model):
            super(AIModelAdmin, self).save_related(request, form, formsets, change)

        writes.aimodel_save(form.instance, _context(request), related=related)

    def delete_model(self, request, obj):
        writes.aimodels_delete([obj], _context(request))

    def delete_queryset(self, request, queryset):
        writes.aimodels_delete(queryset, _context(request))


def _context(request):
    return WriteContext(source="admin", actor=request.user)


def _can_tag(request):
    return request.user.has_perm("models_catalog.tag_aimodel")

"""The catalog's back office: every save and delete goes through models_catalog/writes.py."""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.db import models
from django.db.models import Case, When
from django.urls import path
from taggit.managers import TaggableManager

from config.lib.tagging import TagAutocompleteWidget
from config.lib.widgets import named_autocomplete
from models_catalog import writes
from models_catalog.backoffice.forms import AIModelAdminForm, GradeGridFormSet, GradeRowForm
from models_catalog.backoffice.importing import ImportViewMixin
from models_catalog.changes import WriteContext
from models_catalog.models import (
    AIModel,
    Dimension,
    License,
    OpennessGrade,
    Organization,
    PricePoint,
)

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
    """The grades as one grid: a row per dimension, in the index's order, the ungraded ones
    ready to fill in (a row left without a grade is not saved)."""

    model = OpennessGrade
    form = GradeRowForm
    formset = GradeGridFormSet
    max_num = len(Dimension)
    fields = ["dimension", "grade", "link", "notes", "reason"]
    verbose_name_plural = "openness grades (one row per dimension; leave a grade blank if unknown)"

    def get_queryset(self, request):
        order = Case(*(When(dimension=d, then=n) for n, d in enumerate(Dimension.values)))
        return super().get_queryset(request).order_by(order, "pk")

    def get_extra(self, request, obj=None, **kwargs):
        return len(ungraded(obj))

    def has_view_permission(self, request, obj=None):
        # Taggers see the grades (read-only) on the form they may open.
        return super().has_view_permission(request, obj) or _can_tag(request)


def ungraded(obj):
    """The dimensions `obj` has no grade for yet, in the index's order."""
    graded = set()
    if obj is not None and obj.pk:
        graded = set(obj.openness_grades.values_list("dimension", flat=True))
    return [d for d in Dimension.values if d not in graded]


class PricePointInline(admin.TabularInline):
    """Dated prices: the entry's current price of a unit is its latest point."""

    model = PricePoint
    extra = 0
    fields = ["unit", "amount", "condition", "as_of", "source_url"]

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or _can_tag(request)


@admin.register(AIModel)
class AIModelAdmin(ImportViewMixin, admin.ModelAdmin):
    form = AIModelAdminForm
    change_list_template = "admin/models_catalog/aimodel/change_list.html"
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

    class Media:
        js = ["js/slug-keeps-versions.js", "js/select2-names.js"]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) or _can_tag(request)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self._tag_only(request):
            return fieldsets
        # A tagger comes to tag: the one field they may change comes first.
        rest = [
            (name, {**opts, "fields": [f for f in opts["fields"] if f not in TAG_ONLY_FIELDS]})
            for name, opts in fieldsets
        ]
        return [("Tags", {"fields": TAG_ONLY_FIELDS}), *rest]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs = named_autocomplete(self, db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, OpennessGradeInline):
            kwargs["initial"] = [{"dimension": d} for d in ungraded(obj)]
        return kwargs

    def changelist_view(self, request, extra_context=None):
        allowed = self.has_import_permission(request)
        extra_context = {**(extra_context or {}), "has_import_permission": allowed}
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="models_catalog_aimodel_import"), *super().get_urls()]

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

"""The back office for categories and authors (bylines)."""

from django.contrib import admin

from articles.backoffice.admin.base import DeletesOneByOne, warn_removed_markup
from articles.backoffice.forms import AuthorAdminForm
from articles.models import Author, Category


@admin.register(Category)
class CategoryAdmin(DeletesOneByOne, admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Author)
class AuthorAdmin(DeletesOneByOne, admin.ModelAdmin):
    form = AuthorAdminForm
    list_display = ["name", "slug", "user"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]
    autocomplete_fields = ["user"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        warn_removed_markup(self, request, obj)

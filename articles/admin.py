from django.contrib import admin

from articles.models import Article, Author, Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "user"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]
    autocomplete_fields = ["user"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "published_at", "author", "category", "updated_at"]
    list_filter = ["status", "category", "author"]
    search_fields = ["title", "dek"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["author", "category"]
    date_hierarchy = "published_at"
    list_select_related = ["author", "category"]

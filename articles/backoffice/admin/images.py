"""The back office for the image library: uploads are validated, cleaned and resized once."""

from django.contrib import admin
from django.utils.html import format_html

from articles.backoffice.admin.base import DeletesOneByOne
from articles.backoffice.forms import ImageAdminForm
from articles.backoffice.images import image_ingest
from articles.models import Image


@admin.register(Image)
class ImageAdmin(DeletesOneByOne, admin.ModelAdmin):
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

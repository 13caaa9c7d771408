"""What several of the back office's ModelAdmins share."""

from django.contrib import messages
from django.db import transaction
from django.urls import path

from articles.announce import announcing


def warn_removed_markup(model_admin, request, obj):
    """Tell the writer what rendering took out (config/lib/raw_text.py), one message per part."""
    for note in getattr(obj, "removed_markup", []):
        model_admin.message_user(request, f"Saved, but: {note}", messages.WARNING)


def admin_paths(model_admin, routes, decorate=None):
    """The admin's `path()`s for (route, view, name) rows: each view behind the admin login
    (and `decorate`, if given), named `<app>_<model>_<name>`."""
    prefix = f"{model_admin.opts.app_label}_{model_admin.opts.model_name}"
    wrap = model_admin.admin_site.admin_view
    return [
        path(route, wrap(decorate(view) if decorate else view), name=f"{prefix}_{name}")
        for route, view, name in routes
    ]


class DeletesOneByOne:
    """ "Delete selected" runs each row's own `delete()`, which announces it; once in all.

    Django's default deletes the selection as one queryset, which skips the model's method
    (articles/announce.py, `AnnouncedOnWrite`).
    """

    def delete_queryset(self, request, queryset):
        with transaction.atomic(), announcing():
            for obj in queryset:
                obj.delete()

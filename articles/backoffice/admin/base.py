"""What several of the back office's ModelAdmins share."""

from django.contrib import messages
from django.db import transaction

from articles.announce import announcing


def warn_removed_markup(model_admin, request, obj):
    """Tell the writer what rendering took out (config/lib/raw_text.py), one message per part."""
    for note in getattr(obj, "removed_markup", []):
        model_admin.message_user(request, f"Saved, but: {note}", messages.WARNING)


class DeletesOneByOne:
    """ "Delete selected" runs each row's own `delete()`, which announces it; once in all.

    Django's default deletes the selection as one queryset, which skips the model's method
    (articles/announce.py, `AnnouncedOnWrite`).
    """

    def delete_queryset(self, request, queryset):
        with transaction.atomic(), announcing():
            for obj in queryset:
                obj.delete()

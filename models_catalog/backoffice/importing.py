"""Catalog import from the admin (issue 16, item 6): upload, dry run, apply.

The same code as `manage.py import_models` (models_catalog/transfer/importer.py), with the
same all-or-nothing rule: the dry run runs the import in a transaction that is rolled back
and lists what each entry would change; Apply runs it for real on exactly the text that was
shown (a keyed digest travels with it). A bad file is a form error naming row and field.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from models_catalog.backoffice.forms import IMPORT_MAX_BYTES, ImportForm, normalise_newlines
from models_catalog.changes import WriteContext
from models_catalog.transfer.files import ImportFailed, detect_format, read_rows
from models_catalog.transfer.importer import import_dry_run, import_rows
from models_catalog.transfer.values import COLUMNS, OPENNESS_COLUMNS

SALT = "models_catalog.admin-import"


def _digest(name, text):
    return salted_hmac(SALT, f"{name}\n{text}", algorithm="sha256").hexdigest()


def _rows(name, text):
    return read_rows(text, detect_format(name), [*COLUMNS, *OPENNESS_COLUMNS])


def describe_change(change):
    """(slug, what, [(fact, old, new)]) for the dry run's table."""
    what = "new" if change.created else ("changed" if change.fields else "unchanged")
    facts = [] if change.created else sorted(change.fields.items())
    return change.slug, what, [(fact, old, new) for fact, (old, new) in facts]


class ImportViewMixin:
    def has_import_permission(self, request):
        user = request.user
        return user.has_perm("models_catalog.add_aimodel") and user.has_perm(
            "models_catalog.change_aimodel"
        )

    def import_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        context = {**self.admin_site.each_context(request), "opts": self.opts}
        if request.method == "POST" and "apply" in request.POST:
            return self._apply(request, context)
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            name, text = form.cleaned_data["file"]
            try:
                result = import_dry_run(_rows(name, text))
            except ImportFailed as failure:
                form.add_error("file", [str(error) for error in failure.errors[:50]])
            else:
                context.update(
                    result=result,
                    changes=[describe_change(c) for c in result.changes],
                    name=name,
                    text=text,
                    digest=_digest(name, text),
                )
        context.update(form=form, title="Import catalog entries", max_mb=IMPORT_MAX_BYTES >> 20)
        return TemplateResponse(request, "admin/models_catalog/aimodel/import.html", context)

    def _apply(self, request, context):
        name = request.POST.get("name", "")
        text = normalise_newlines(request.POST.get("text", ""))
        if not constant_time_compare(request.POST.get("digest", ""), _digest(name, text)):
            self.message_user(request, "Upload the file again: it changed.", messages.ERROR)
            return HttpResponseRedirect(request.path)
        who = WriteContext(source=f"admin-import:{name}", actor=request.user)
        try:
            result = import_rows(_rows(name, text), context=who)
        except ImportFailed as failure:
            errors = "; ".join(str(error) for error in failure.errors[:20])
            self.message_user(request, f"{failure} {errors}", messages.ERROR)
            return HttpResponseRedirect(request.path)
        self.message_user(request, f"Imported {name}: {result}.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:models_catalog_aimodel_changelist"))

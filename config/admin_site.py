"""The admin site: a hostile id or query string is "not found", never a server error.

Django's admin already treats an id its primary-key field cannot parse as a missing object
(`ModelAdmin.get_object`). A walk of every admin URL with hostile input (issue 12,
tests/security/test_admin_urls.py) found three paths that still answered 500, in Django's
code as much as ours, so the fix sits here, for every registered ModelAdmin (ours, and
auth's and axes' too):

- a date-hierarchy year past Python's range (`?published_at__year=99999999999999999999999`)
  raised OverflowError while building the changelist;
- an action POSTed with a malformed or out-of-range `_selected_action` raised ValueError
  (or OverflowError on SQLite) while filtering the selection;
- ids that Python's int() accepts but the admin never writes (" 1", "01", "١") opened object 1.

`AdminSite.register` mixes `HostileInputMixin` into whatever class registers, so a ModelAdmin
added later is covered without anyone remembering to.

The site also offers hooks an app plugs into without config importing it (issue 16): each
callable in `context_hooks` adds to the context of every admin page (the inbox counts and
notices in the header), each in `index_hooks` to the front page (the inbox).
"""

from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import ValidationError


def clean_pk(model, raw):
    """`raw` as a primary key of `model`, or None when no row could have it.

    Malformed, out of the column's range, or not written the way the admin writes ids (an
    integer in plain ASCII digits, no sign, space or leading zero): all of these are "missing".
    """
    field = model._meta.pk
    try:
        value = field.to_python(raw)
        field.run_validators(value)  # integer fields: the database column's range
    except (ValidationError, ValueError, TypeError, OverflowError):
        return None
    if value is None or (isinstance(value, int) and str(value) != str(raw)):
        return None
    return value


class HostileInputMixin:
    """Treat junk ids and junk changelist parameters as missing objects and bad filters."""

    def get_object(self, request, object_id, from_field=None):
        if from_field is None and clean_pk(self.model, object_id) is None:
            return None
        return super().get_object(request, object_id, from_field)

    def get_changelist_instance(self, request):
        try:
            return super().get_changelist_instance(request)
        except OverflowError as error:
            # The changelist answers IncorrectLookupParameters with its own "?e=1" redirect.
            raise IncorrectLookupParameters(error) from error

    def response_action(self, request, queryset, *args, **kwargs):
        name = helpers.ACTION_CHECKBOX_NAME
        selected = request.POST.getlist(name)
        valid = [raw for raw in selected if clean_pk(self.model, raw) is not None]
        if valid != selected:
            # Ids no row can have select nothing; with none left, Django says so.
            request.POST = request.POST.copy()
            request.POST.setlist(name, valid)
        return super().response_action(request, queryset, *args, **kwargs)


class AdminSite(admin.AdminSite):
    """Django's admin site, with `HostileInputMixin` in every registered ModelAdmin."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.context_hooks = []  # callables(request) -> dict, for every admin page
        self.index_hooks = []  # callables(request) -> dict, for the front page

    def each_context(self, request):
        context = super().each_context(request)
        for hook in self.context_hooks:
            context.update(hook(request))
        return context

    def index(self, request, extra_context=None):
        extra = {}
        for hook in self.index_hooks:
            extra.update(hook(request))
        return super().index(request, {**extra, **(extra_context or {})})

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, HostileInputMixin):
            admin_class = type(
                admin_class.__name__,
                (HostileInputMixin, admin_class),
                {"__module__": admin_class.__module__},
            )
        super().register(model_or_iterable, admin_class, **options)


def repair_axes_cleanup(site):
    """Make django-axes' "Clean up expired attempts" action work (8.3 answers it with a 500).

    The action hands the admin's request to axes, which reads `request.axes_attempt_time`, an
    attribute only its login handler sets. None is the value axes itself takes as "now".
    """
    if not site.is_registered(AccessAttempt):
        return
    base = type(site.get_model_admin(AccessAttempt))

    class AccessAttemptAdmin(base):
        @admin.action(description=base.cleanup_expired_attempts.short_description)
        def cleanup_expired_attempts(self, request, queryset):
            request.axes_attempt_time = getattr(request, "axes_attempt_time", None)
            return super().cleanup_expired_attempts(request, queryset)

    site.unregister(AccessAttempt)
    site.register(AccessAttempt, AccessAttemptAdmin)

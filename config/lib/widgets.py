"""Admin widgets shared by the apps' back offices."""

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect
from django.forms.utils import flatatt
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe


class NamedAutocompleteSelect(AutocompleteSelect):
    """An autocomplete whose empty state still says what it is for (issue 16, item 8).

    select2 names its combobox by the text it shows; Django's empty placeholder left an
    unset field (an article's hero image) with no accessible name at all, which axe counts
    as a serious violation.
    """

    def __init__(self, field, admin_site, *args, placeholder="", **kwargs):
        super().__init__(field, admin_site, *args, **kwargs)
        self.placeholder = placeholder or f"Choose {field.verbose_name}"

    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = super().build_attrs(base_attrs, extra_attrs=extra_attrs)
        attrs["data-placeholder"] = self.placeholder
        return attrs


def named_autocomplete(model_admin, db_field, request, kwargs):
    """For `formfield_for_foreignkey`: the named widget on the admin's autocomplete fields."""
    if "widget" not in kwargs and db_field.name in model_admin.get_autocomplete_fields(request):
        kwargs["widget"] = NamedAutocompleteSelect(
            db_field, model_admin.admin_site, using=kwargs.get("using")
        )
    return kwargs


class LongSelect(forms.Select):
    """A select of hundreds of options (the ~600 time zones) whose options are written here.

    Django's Select renders each option through two templates (the option and its
    attributes): most of the "My notifications" page's 90 ms went on the time zones. The
    `<select>` element itself still comes from Django's template, so its attributes
    (required, aria-describedby, the admin's own) are Django's; the options are the same
    markup, escaped the same way (tests/test_widgets.py compares the two)."""

    template_name = "widgets/long_select.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        groups = []
        for group_name, options, _ in context["widget"]["optgroups"]:
            html = "\n".join(map(_option, options))
            if group_name:
                html = f'<optgroup label="{conditional_escape(group_name)}">{html}</optgroup>'
            groups.append(html)
        context["widget"]["options_html"] = mark_safe("\n".join(groups))  # escaped below
        return context


def _option(option):
    attrs = flatatt(option["attrs"]) if option["attrs"] else ""  # most options have none
    value, label = conditional_escape(option["value"]), conditional_escape(option["label"])
    return f'<option value="{value}"{attrs}>{label}</option>'

"""Admin widgets shared by the apps' back offices."""

from django.contrib.admin.widgets import AutocompleteSelect


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

"""The catalog admin's forms: sizes typed as people write them, openness as a grid, imports."""

from django import forms
from django.forms.models import BaseInlineFormSet
from django.utils.html import format_html

from models_catalog import formatting
from models_catalog.models import AIModel, Dimension, OpennessGrade

IMPORT_MAX_BYTES = 2 * 1024 * 1024  # the apply step posts the text back: under Django's 2.5 MB


class AIModelAdminForm(forms.ModelForm):
    """`parameters` reads "12B", "6.9B", "1.5T", "350M" or "141B (39B active)", and shows the
    stored numbers back the same way; the active count it carries is stored beside it."""

    parameters = forms.CharField(
        required=False,
        max_length=60,
        help_text="Total parameters, as written: 12B, 6.9B, 1.5T, 350M; a mixture of experts "
        "adds the active count: 141B (39B active). Blank when undisclosed.",
    )

    class Meta:
        model = AIModel
        fields = ["parameters"]  # the admin passes the fieldsets' fields

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "parameters" in self.fields and not self.is_bound:
            instance = self.instance
            self.initial["parameters"] = formatting.format_parameters(
                instance.parameters, instance.active_parameters
            )

    def clean_parameters(self):
        try:
            total, active = formatting.parse_parameters(self.cleaned_data["parameters"])
        except ValueError as error:
            raise forms.ValidationError(
                f"{error}. Write a size such as 12B, 6.9B or 141B (39B active)."
            ) from None
        if active is not None and total is not None and active > total:
            raise forms.ValidationError("The active count cannot be larger than the total.")
        self.instance.active_parameters = active  # not a field of the form: set here
        return total


class DimensionLabel(forms.Widget):
    """The dimension of a grid row: its name as text, its code in a hidden input."""

    def render(self, name, value, attrs=None, renderer=None):
        label = Dimension(value).label if value in Dimension.values else (value or "")
        return format_html(
            '<input type="hidden" name="{}" value="{}"><span class="dimension">{}</span>',
            name,
            value or "",
            label,
        )


class GradeRowForm(forms.ModelForm):
    """One row of the openness grid; each input is named after its dimension for screen
    readers (a table cell has no label of its own)."""

    class Meta:
        model = OpennessGrade
        fields = ["dimension", "grade", "link", "notes", "reason"]
        widgets = {
            "dimension": DimensionLabel,
            "notes": forms.Textarea(attrs={"rows": 1, "cols": 24}),
            "reason": forms.Textarea(attrs={"rows": 1, "cols": 24}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        code = self.instance.dimension or self.initial.get("dimension", "")
        name = Dimension(code).label if code in Dimension.values else "openness"
        labels = [("grade", "Grade"), ("link", "Evidence link"), ("notes", "Note")]
        for field, what in [*labels, ("reason", "Reason")]:
            if field in self.fields:
                self.fields[field].widget.attrs["aria-label"] = f"{what}: {name}"


class GradeGridFormSet(BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:  # a table cell has no label: name the checkbox
            name = form.fields["grade"].widget.attrs.get("aria-label", "Grade")
            form.fields["DELETE"].widget.attrs["aria-label"] = f"Delete {name[0].lower()}{name[1:]}"


class ImportForm(forms.Form):
    file = forms.FileField(
        help_text="A .json (list of entries), .jsonl or .csv file, as `manage.py import_models` "
        "reads and `export_models` writes; at most 2 MB. Nothing is written until you apply."
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError("The file is larger than 2 MB.")
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise forms.ValidationError(f"The file is not UTF-8 text ({error.reason}).") from None
        return upload.name, normalise_newlines(text)


def normalise_newlines(text):
    """Browsers post a form's text back with CRLF: the dry run and Apply agree on LF."""
    return text.replace("\r\n", "\n")

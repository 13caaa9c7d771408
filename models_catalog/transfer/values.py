"""Check one value of an import row against the model field that will store it.

Type first (text only where text belongs, numbers as text or JSON numbers), then
config/lib/text.py's rule (a name with a control character is refused, long text has it
stripped), then the field's own limits: its length, its column's range, its digits. Each
parser raises ValueError or ValidationError with a message for the row's error list.
"""

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.backends.base.operations import BaseDatabaseOperations

from config.lib import text
from config.lib.tagging import MAX_TAG_LENGTH, normalize_tag_name, tag_name_problem
from models_catalog import formatting
from models_catalog.models import (
    MODALITIES,
    AIModel,
    Dimension,
    Grade,
    License,
    OpennessGrade,
    Organization,
    normalise_modalities,
    split_list,
)
from models_catalog.transfer.files import RowError

COLUMNS = [
    "name", "slug", "organization", "family", "kind", "release_date", "license", "weights",
    "parameters", "active_parameters", "context_window", "input_modalities",
    "output_modalities", "api", "price_input_per_mtok", "price_output_per_mtok",
    "homepage_url", "model_card_url", "paper_url", "weights_url", "summary", "description",
    "tags",
]  # fmt: skip
GRADE_PARTS = ("grade", "link", "notes")
OPENNESS_COLUMNS = [
    f"openness.{key}{suffix}" for key in Dimension.values for suffix in ("", ".link", ".notes")
]
URL_FIELDS = ["homepage_url", "model_card_url", "paper_url", "weights_url"]
# The field that stores each text column, read from the models so that a migration changing
# a length or a kind of text changes the check with it. release_date is parsed, not stored.
TEXT_FIELDS = {
    **{
        key: AIModel._meta.get_field(key)
        for key in ["name", "slug", "family", "kind", "weights", "summary", "description"]
        + ["input_modalities", "output_modalities", *URL_FIELDS]
    },
    "organization": Organization._meta.get_field("name"),
    "license": License._meta.get_field("name"),
    "release_date": None,
}
GRADE_FIELDS = {part: OpennessGrade._meta.get_field(part) for part in ("link", "notes")}
_url = URLValidator(schemes=["http", "https"])


class Row:
    """One row being validated: the raw values and every error found so far."""

    def __init__(self, where, raw):
        self.where, self.raw, self.errors = where, raw, []

    def error(self, name, message):
        self.errors.append(RowError(self.where, name, message))

    def errors_for(self, name):
        return [error for error in self.errors if error.field == name]

    def check(self, name, parse, value):
        """parse(value), or None with the error recorded."""
        try:
            return parse(value)
        except (ValueError, ValidationError) as error:
            message = error.messages[0] if isinstance(error, ValidationError) else str(error)
            self.error(name, message)
            return None

    def text(self, key, field=None):
        field = field if field is not None else TEXT_FIELDS.get(key)
        return self.check(key, lambda value: text_value(value, field), self.raw.get(key)) or ""


def _kind_of_value(value):
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    return {list: "a list", dict: "an object"}.get(type(value), type(value).__name__)


def text_value(value, field=None):
    """A text value checked against the model field that stores it; '' for nothing."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"must be text, not {_kind_of_value(value)}")
    kind = (text.kind_of(field) if field is not None else None) or text.LINE
    if kind == text.LINE and (message := text.problem(value, kind)):
        raise ValueError(message[0].lower() + message[1:])
    value = text.clean(value, kind).strip()
    if field is not None and field.max_length and len(value) > field.max_length:
        raise ValueError(f"longer than {field.max_length} characters")
    return value


def choice(choices, label):
    def parse(value):
        value = value.lower()
        if value and value not in choices.values:
            raise ValueError(f"unknown {label} {value!r}; use {', '.join(choices.values)}")
        return value

    return parse


def modalities(value):
    unknown = [m for m in split_list(value) if m.lower() not in MODALITIES]
    if unknown:
        raise ValueError(f"unknown modality {', '.join(unknown)}; use {', '.join(MODALITIES)}")
    return normalise_modalities(value)


def _number(value):
    """`value` if a file may give it for a number (text, or a JSON number)."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, str | int | float)):
        raise ValueError(f"must be a number, not {_kind_of_value(value)}")
    return value


def count(field):
    """A parser for a whole number that fits `field`'s column on every database.

    The range is the column type's (BaseDatabaseOperations), not the connection's: SQLite
    takes any 64-bit integer in any integer column, so a file checked against SQLite's range
    would then fail to load on PostgreSQL.
    """
    low, high = BaseDatabaseOperations.integer_field_ranges[field.get_internal_type()]

    def parse(value):
        number = formatting.parse_count(_number(value))
        if number is not None and not low <= number <= high:
            raise ValueError(f"must be at most {high:,}")
        return number

    return parse


def price(field):
    """A parser for a price that fits `field` (its digits and decimal places)."""

    def parse(value):
        number = formatting.parse_decimal(_number(value))
        if number is not None:
            field.run_validators(number)
        return number

    return parse


def yes_no(value):
    if isinstance(value, bool):
        return value
    if value is None or value == "":
        return None
    answer = str(value).strip().lower() if isinstance(value, str | int) else None
    if answer in {"yes", "true", "1", "y"}:
        return True
    if answer in {"no", "false", "0", "n"}:
        return False
    shown = repr(value) if isinstance(value, str | int) else _kind_of_value(value)
    raise ValueError(f"{shown} is not yes or no")


def url_or_blank(value):
    if value:
        try:
            _url(value)
        except ValidationError:
            raise ValueError("not a valid http(s) URL") from None
    return value


def tags(value):
    """Normal tag names from a `;`-separated text or a list of names."""
    if value is None:
        return []
    names = split_list(value) if isinstance(value, str) else value
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise ValueError("must be names separated by ; or a list of names")
    for name in names:
        if len(name) > MAX_TAG_LENGTH:
            raise ValueError(f"tags must be names of up to {MAX_TAG_LENGTH} characters")
        if message := tag_name_problem(name):  # as the admin's tag field refuses it
            raise ValueError(message)
    unique = {}
    for name in map(normalize_tag_name, names):  # the vocabulary's own rule, as in the admin
        if name:
            unique.setdefault(name.lower(), name)
    return sorted(unique.values(), key=str.lower)


def grades(row):
    """{dimension: (grade, link, notes)} from `openness` (object) or `openness.<key>` columns."""
    nested = row.raw.get("openness")
    if nested is not None and not isinstance(nested, dict):
        row.error("openness", "must be an object keyed by dimension")
        return {}
    found = {}
    for key, value in (nested or {}).items():
        if isinstance(value, dict):
            for unknown in sorted(set(value) - set(GRADE_PARTS)):
                row.error(f"openness.{key}", f"unknown key {unknown!r}")
            found[key] = tuple(value.get(part) for part in GRADE_PARTS)
        else:
            found[key] = (value, None, None)
    for key in Dimension.values:
        flat = [row.raw.get(f"openness.{key}{suffix}") for suffix in ("", ".link", ".notes")]
        if any(flat):
            found[key] = tuple(flat)
    grades = {key: _grade(row, key, parts) for key, parts in found.items()}
    return {key: grade for key, grade in grades.items() if grade}


def _grade(row, key, parts):
    """(grade, link, notes) for one dimension, or None with the errors recorded."""
    name = f"openness.{key}"
    if key not in Dimension.values:
        row.error(name, "unknown openness dimension")
        return None
    grade = row.check(name, text_value, parts[0])
    link = row.check(
        f"{name}.link", lambda v: url_or_blank(text_value(v, GRADE_FIELDS["link"])), parts[1]
    )
    notes = row.check(f"{name}.notes", lambda v: text_value(v, GRADE_FIELDS["notes"]), parts[2])
    if grade is None or link is None or notes is None:
        return None
    if grade.lower() not in Grade.values:
        row.error(name, f"{grade.lower()!r} is not open, partial or closed")
        return None
    return grade.lower(), link, notes

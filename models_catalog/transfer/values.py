"""Turn the values of an import row into Python values: what a file can say, parsed.

Only the file's notations live here: text where text belongs, numbers as text or JSON
numbers (`7B`, `1.5T`, `128k`), dates with their precision (`2024`, `2024-07`), yes/no,
prices, `;`-separated lists, openness grades as an object or `openness.<key>` columns. Whether
a value may be stored (its length, range, choices, URL scheme, the text rule) is the models'
business: the importer asks them (writes.entry_problems). Each parser raises ValueError with a
message for the row's error list.
"""

import datetime
import json
import re

from django.core.exceptions import ValidationError

from config.lib.tagging import MAX_TAG_LENGTH, normalize_tag_name, tag_name_problem
from models_catalog import formatting
from models_catalog.formatting import split_list
from models_catalog.models import NOT_APPLICABLE_TEXT, PRICE_COLUMNS, SOURCED_FACTS, Dimension
from models_catalog.transfer.files import RowError

COLUMNS = [
    "name", "slug", "organization", "family", "kind", "release_date", "license", "weights",
    "parameters", "active_parameters", "context_window", "input_modalities",
    "output_modalities", "api", "price_input_per_mtok", "price_output_per_mtok",
    "homepage_url", "model_card_url", "paper_url", "weights_url", "summary", "description",
    "tags", "source_url", "as_of", "prices",
]  # fmt: skip
# A fact's own source, flat in CSV (`source.<fact>.url`, `source.<fact>.as_of`), nested in
# JSON (`"sources": {"<fact>": {"url": …, "as_of": …}}`).
SOURCE_PARTS = ("url", "as_of")
SOURCE_COLUMNS = [f"source.{fact}.{part}" for fact in SOURCED_FACTS for part in SOURCE_PARTS]
PRICE_PARTS = ("unit", "amount", "condition", "as_of", "source")
GRADE_PARTS = ("grade", "link", "notes")
OPENNESS_COLUMNS = [
    f"openness.{key}{suffix}" for key in Dimension.values for suffix in ("", ".link", ".notes")
]
URL_FIELDS = ["homepage_url", "model_card_url", "paper_url", "weights_url"]
TEXT_COLUMNS = [
    "name", "slug", "organization", "family", "kind", "release_date", "license", "weights",
    "input_modalities", "output_modalities", *URL_FIELDS, "summary", "description",
    "source_url", "as_of",
]  # fmt: skip
COUNT_COLUMNS = ["parameters", "active_parameters", "context_window"]
PRICE_COLUMNS = list(PRICE_COLUMNS)
NOT_APPLICABLE_COLUMNS = [*COUNT_COLUMNS, *PRICE_COLUMNS]
# Surrounding white space, except the controls Python also counts as white space (VT, FF, the
# separators, NEL): the models must see those to refuse them (config/lib/text.py).
_AROUND = re.compile(r"^[^\S\x0b\x0c\x1c-\x1f\x85]+|[^\S\x0b\x0c\x1c-\x1f\x85]+$")


class Row:
    """One row being read: the raw values and every error found so far."""

    def __init__(self, where, raw):
        self.where, self.raw, self.errors = where, raw, []

    def error(self, name, message):
        self.errors.append(RowError(self.where, name, message))

    def failed(self):
        """The columns with an error."""
        return {error.field for error in self.errors}

    def check(self, name, parse, value):
        """parse(value), or None with the error recorded."""
        try:
            return parse(value)
        except (ValueError, ValidationError) as error:
            message = error.messages[0] if isinstance(error, ValidationError) else str(error)
            self.error(name, message)
            return None

    def text(self, key):
        return self.check(key, text_value, self.raw.get(key)) or ""


def _kind_of_value(value):
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    return {list: "a list", dict: "an object"}.get(type(value), type(value).__name__)


def text_value(value):
    """A text value without surrounding white space; '' for nothing."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"must be text, not {_kind_of_value(value)}")
    return _AROUND.sub("", value)


def _number(value):
    """`value` if a file may give it for a number (text, or a JSON number)."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, str | int | float)):
        raise ValueError(f"must be a number, not {_kind_of_value(value)}")
    return value


def count(value):
    """A whole number: `7B`, `1.5T`, `128k`, or plain digits (its range is the field's)."""
    return formatting.parse_count(_number(value))


def price(value):
    """A decimal number (its digits and range are the field's)."""
    return formatting.parse_decimal(_number(value))


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


def codes(text):
    """'Text; image' -> ['text', 'image'] (which codes exist is the Modality model's say)."""
    return [code.lower() for code in split_list(text)]


def tags(value):
    """Normal tag names from a `;`-separated text or a list of names.

    A tag is no model field: the shared vocabulary's rule (config/lib/tagging.py) decides, as
    it does for the admin's tag field.
    """
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
    """{dimension: (grade, link, notes)} from `openness` (object) or `openness.<key>` columns.

    Grades are lower-cased; whether a dimension, a grade or a link is one is the model's say.
    """
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
    texts = {key: _grade_texts(row, key, parts) for key, parts in found.items()}
    return {key: parts for key, parts in texts.items() if parts}


def _grade_texts(row, key, parts):
    """(grade, link, notes) as text for one dimension, or None with the errors recorded."""
    names = [f"openness.{key}", f"openness.{key}.link", f"openness.{key}.notes"]
    texts = [row.check(name, text_value, part) for name, part in zip(names, parts, strict=True)]
    if None in texts:
        return None
    return texts[0].lower(), texts[1], texts[2]


def not_applicable(value):
    """True when a file says the fact does not apply (`n/a`), as opposed to unknown (empty)."""
    return isinstance(value, str) and value.strip().lower() == NOT_APPLICABLE_TEXT


def day(value):
    """A date YYYY-MM-DD, or None for nothing."""
    if value in (None, ""):
        return None
    try:
        return datetime.date.fromisoformat(value) if _ISO_DAY.match(value) else _bad_day(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a real date") from None


_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _bad_day(value):
    raise ValueError(f"{value[:40]!r} is not a date in the form YYYY-MM-DD")


def sources(row):
    """{fact: {"url", "as_of"}} from `sources` (object) or `source.<fact>.*` columns.

    Unknown facts and bad values are the model's say (AIModel.clean); only shapes here.
    """
    nested = row.raw.get("sources")
    if nested is not None and not isinstance(nested, dict):
        row.error("sources", "must be an object keyed by fact")
        return {}
    found = {key: value for key, value in (nested or {}).items()}
    for fact in SOURCED_FACTS:
        flat = {part: row.raw.get(f"source.{fact}.{part}") for part in SOURCE_PARTS}
        if any(flat.values()):
            found[fact] = {part: value for part, value in flat.items() if value}
    for fact, source in found.items():
        if isinstance(source, dict):
            found[fact] = {k: v for k, v in source.items() if v not in (None, "")}
    return found


def prices(row):
    """[(unit, amount, condition, as_of, source)] from `prices`: a list of objects, or (in a
    CSV cell) that list as JSON text. The PricePoint model judges the values."""
    value = row.raw.get("prices")
    if isinstance(value, str):
        if not value.strip():
            return []
        try:
            value = json.loads(value)
        except ValueError:
            row.error("prices", "must be a JSON list of price points")
            return []
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(p, dict) for p in value):
        row.error("prices", "must be a list of objects with unit, amount and as_of")
        return []
    points = []
    for number, point in enumerate(value, start=1):
        if unknown := sorted(set(point) - set(PRICE_PARTS)):
            row.error("prices", f"point {number}: unknown key {unknown[0]!r}")
            continue
        amount = row.check("prices", price, point.get("amount"))
        parts = [row.check("prices", text_value, point.get(k)) for k in ("unit", "condition")]
        when = row.check("prices", day, point.get("as_of"))
        source = row.check("prices", text_value, point.get("source"))
        points.append((parts[0], amount, parts[1], when, source))
    return points

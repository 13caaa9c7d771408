"""Where an entry's facts come from and when they were true: sources, dated price points.

Every fact names a source URL and an "as of" date, or inherits the entry's (`source_url`,
`as_of`). A fact nobody has disclosed is unknown (NULL); a fact that does not apply (an
image model's context window, a price with no API) is named in `not_applicable`, and its
value stays NULL. Prices are dated points (`PricePoint`); the entry's current prices are
derived from the latest ones.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from config.lib.text import CleanTextMixin
from models_catalog import formatting
from models_catalog.announce import AnnouncedOnWrite
from models_catalog.models.validation import WEB_URL, unknown_choice

# The facts that carry their own source, by key (as exports and the page name them).
SOURCED_FACTS = {
    "release_date": "Released",
    "parameters": "Parameters",
    "active_parameters": "Active parameters",
    "context_window": "Context window",
    "license": "Licence",
    "weights": "Weights",
    "modalities": "Modalities",
    "api": "API available",
}
# The facts that may be "not applicable" rather than unknown: the column stays NULL.
NOT_APPLICABLE_FACTS = [
    "parameters", "active_parameters", "context_window", "price_input_per_mtok",
    "price_output_per_mtok",
]  # fmt: skip
NOT_APPLICABLE_TEXT = "n/a"  # how files and the page spell it


class PriceUnit(models.TextChoices):
    INPUT_MTOK = "input-mtok", "per million input tokens"
    OUTPUT_MTOK = "output-mtok", "per million output tokens"
    CACHED_INPUT_MTOK = "cached-input-mtok", "per million cached input tokens"
    IMAGE = "image", "per image"
    AUDIO_MINUTE = "audio-minute", "per minute of audio"
    REQUEST = "request", "per request"


# The entry's current-price columns and the unit each follows.
PRICE_COLUMNS = {
    "price_input_per_mtok": PriceUnit.INPUT_MTOK,
    "price_output_per_mtok": PriceUnit.OUTPUT_MTOK,
}


class PricePoint(AnnouncedOnWrite, CleanTextMixin, models.Model):
    """One price of one model, in US dollars, from a date on, under a condition."""

    aimodel = models.ForeignKey(
        "models_catalog.AIModel", on_delete=models.CASCADE, related_name="price_points"
    )
    unit = models.CharField(
        max_length=20,
        choices=PriceUnit,
        error_messages={"invalid_choice": unknown_choice("price unit", PriceUnit)},
    )
    amount = models.DecimalField(
        max_digits=12, decimal_places=6, validators=[MinValueValidator(0)], help_text="US dollars."
    )
    condition = models.CharField(
        max_length=100, blank=True, help_text="When it applies, e.g. “prompts ≤ 128K”."
    )
    as_of = models.DateField("as of", help_text="The day this price took effect.")
    source_url = models.URLField("source", max_length=500, blank=True, validators=[WEB_URL])

    class Meta:
        ordering = ["aimodel", "unit", "condition", "as_of", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["aimodel", "unit", "condition", "as_of"], name="unique_price_point"
            )
        ]

    def __str__(self):
        return f"${_plain(self.amount)} {self.get_unit_display()} from {self.as_of}"

    def announced_entries(self):
        return [self.aimodel_id]

    @property
    def amount_display(self):
        return formatting.money(self.amount)

    def as_tuple(self):
        return point_tuple(self.unit, self.amount, self.condition, self.as_of, self.source_url)


def point_tuple(unit, amount, condition, as_of, source):
    """(unit, amount, condition, as_of, source) as facts and files compare them: text."""
    return (unit, _plain(amount), condition, as_of.isoformat(), source)


def _plain(value):
    return format(Decimal(value).normalize(), "f")


def current_prices(points, day=None):
    """{column: amount or None} from `points` (PricePoint or point tuples) as of `day`.

    The current price of a unit is its latest point; when several conditions start the
    same day (Gemini's "prompts ≤ 128K" and "> 128K"), the lowest: the "from" price.
    """
    found = {}
    for column, unit in PRICE_COLUMNS.items():
        dated = [p for p in map(_point, points) if p[0] == unit and (day is None or p[3] <= day)]
        latest = max((p[3] for p in dated), default=None)
        amounts = [p[1] for p in dated if p[3] == latest]
        found[column] = min(amounts) if amounts else None
    return found


def latest_points(points, day=None):
    """The points in force on `day` (today without one): the latest per unit and condition."""
    kept = {}
    for point in sorted(points, key=lambda p: _point(p)[3]):
        unit, _, condition, as_of = _point(point)[:4]
        if day is None or as_of <= day:
            kept[(unit, condition)] = point
    return list(kept.values())


def _point(point):
    """(unit, Decimal amount, condition, date) of a PricePoint or a point tuple."""
    if isinstance(point, PricePoint):
        return point.unit, Decimal(point.amount), point.condition, point.as_of
    unit, amount, condition, as_of = point[:4]
    as_of = as_of if isinstance(as_of, datetime.date) else datetime.date.fromisoformat(as_of)
    return unit, Decimal(amount), condition, as_of


def sources_problems(sources, not_applicable, values):
    """{field: [messages]} for an entry's `fact_sources` and `not_applicable` (see AIModel)."""
    problems = {}
    if not isinstance(sources, dict):
        return {"fact_sources": ["Must map facts to a source and an as-of date."]}
    for fact, source in sources.items():
        if fact not in SOURCED_FACTS:
            problems.setdefault("fact_sources", []).append(f"Unknown fact {fact!r}.")
        elif message := _source_problem(source):
            problems.setdefault("fact_sources", []).append(f"{fact}: {message}")
    if not isinstance(not_applicable, list):
        return {**problems, "not_applicable": ["Must be a list of facts."]}
    for fact in not_applicable:
        if fact not in NOT_APPLICABLE_FACTS:
            problems.setdefault("not_applicable", []).append(
                f"{fact!r} cannot be not applicable; use {', '.join(NOT_APPLICABLE_FACTS)}."
            )
        elif values.get(fact) is not None:
            problems.setdefault(fact, []).append("Has a value, so it cannot be not applicable.")
    return problems


def _source_problem(source):
    if not isinstance(source, dict) or set(source) - {"url", "as_of"}:
        return "give a url and an as_of date, nothing else."
    url, as_of = source.get("url") or "", source.get("as_of") or ""
    if not isinstance(url, str) or not isinstance(as_of, str):
        return "the url and the as_of date are text."
    if url:
        try:
            WEB_URL(url)
        except ValidationError:
            return f"{url[:80]!r} is not a web address."
    if as_of:
        try:
            datetime.date.fromisoformat(as_of)
        except ValueError:
            return f"{as_of[:40]!r} is not a date YYYY-MM-DD."
    if not url and not as_of:
        return "give a url, an as_of date or both."
    return None

"""What the model page shows of where facts come from: sources, prices, the changelog."""

import datetime
from dataclasses import dataclass

from models_catalog.models import PRICE_COLUMNS, SOURCED_FACTS, FactChange, latest_points

CHANGELOG_LENGTH = 8


@dataclass
class Source:
    url: str
    as_of: datetime.date | None
    own: bool  # the fact's own source, not the entry's

    def __bool__(self):
        return bool(self.url or self.as_of)


def sources(model):
    """{fact: Source} for every sourced fact and the two current-price columns."""
    found = {}
    own = model.fact_sources or {}
    for fact in SOURCED_FACTS:
        given = model.source_of(fact)
        day = datetime.date.fromisoformat(given["as_of"]) if given["as_of"] else None
        found[fact] = Source(given["url"], day, bool(own.get(fact)))
    current = {(p.unit, p.condition): p for p in _points(model)}
    for column, unit in PRICE_COLUMNS.items():
        point = min(
            (p for (u, _), p in current.items() if u == unit),
            key=lambda p: p.amount,
            default=None,
        )
        found[column] = (
            Source(point.source_url, point.as_of, True) if point else Source("", None, False)
        )
    return found


def _points(model):
    then = getattr(model, "prices_then", None)
    return latest_points(model.price_points.all()) if then is None else then


def price_rows(model):
    """The prices in force (on the page's day), other than the plain input/output ones the
    fact table already shows: per image, per minute, or under a condition."""
    plain = set(PRICE_COLUMNS.values())
    return sorted(
        (p for p in _points(model) if p.unit not in plain or p.condition),
        key=lambda p: (p.unit, p.condition),
    )


def changelog(model, day=None, limit=CHANGELOG_LENGTH):
    """The latest changes to the facts readers see, newest first (up to `day`)."""
    rows = model.fact_changes.shown().filter(kind=FactChange.Kind.CHANGED)
    if day is not None:
        rows = rows.filter(effective_on__lte=day)
    return list(rows[:limit])

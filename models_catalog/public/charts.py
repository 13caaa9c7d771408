"""Geometry for the server-rendered SVG chart of releases over time (no JavaScript)."""

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.urls import reverse

from models_catalog.formatting import format_release_date
from models_catalog.models import OpennessClass

WIDTH, LEFT, RIGHT, TOP, BOTTOM = 720, 16, 16, 12, 36
# Marks sit TARGET units apart at least (STEP up a stack; a column is at least TARGET wide for
# spans up to 28 years), each with a TARGET-square link area: at the chart's smallest size,
# one unit per CSS px (site.css), every target is 24×24 CSS px (WCAG 2.5.8, issue 17).
RADIUS, STEP, TARGET = 5, 24, 24
# Fallback colours (presentation attributes); the stylesheet overrides them for dark mode.
COLOURS = {
    OpennessClass.OPEN_SOURCE: "#13795b",
    OpennessClass.OPEN_WEIGHTS: "#8a5a00",
    OpennessClass.CLOSED: "#b42318",
}
# A distinct shape per class, so colour is never the only cue.
SHAPES = {
    OpennessClass.OPEN_SOURCE: "circle",
    OpennessClass.OPEN_WEIGHTS: "diamond",
    OpennessClass.CLOSED: "square",
}


@dataclass
class Mark:
    x: float
    y: float
    name: str
    date: str
    url: str
    openness_class: str
    label: str
    shape: str
    colour: str

    @property
    def corner(self):
        """Top-left (x, y) of the square mark."""
        return f"{self.x - RADIUS:.1f}", f"{self.y - RADIUS:.1f}"

    @property
    def target(self):
        """Top-left (x, y) of the invisible square the link takes taps in."""
        return f"{self.x - TARGET / 2:.1f}", f"{self.y - TARGET / 2:.1f}"

    @property
    def diamond(self):
        r = RADIUS + 1
        return f"M{self.x:.1f} {self.y - r:.1f}L{self.x + r:.1f} {self.y:.1f}L{self.x:.1f} {self.y + r:.1f}L{self.x - r:.1f} {self.y:.1f}Z"


@dataclass
class _Scale:
    """Years shown, months per column, and a column's width."""

    first: int
    last: int
    months: int
    column: float

    @classmethod
    def of(cls, rows):
        first = min(r["release_date"].year for r in rows)
        last = max(r["release_date"].year for r in rows)
        span = last - first + 1
        months = 1 if span <= 2 else 3 if span <= 7 else 12
        return cls(first, last, months, (WIDTH - LEFT - RIGHT) / (span * 12 // months))

    def bucket(self, row):
        date = row["release_date"]
        month = 6 if row["release_date_precision"] == "year" else date.month - 1
        return ((date.year - self.first) * 12 + month) // self.months

    @property
    def period(self):
        return {1: "month", 3: "quarter"}.get(self.months, "year")


def release_chart(rows, undated=0):
    """Marks, axis ticks and legend for `rows` (dicts with name, slug, release_date,
    release_date_precision, openness_class), stacked per period. None when nothing is dated.
    """
    rows = [row for row in rows if row["release_date"]]
    if not rows:
        return None
    scale = _Scale.of(rows)
    stacks = defaultdict(list)
    for row in sorted(rows, key=lambda r: (r["release_date"], r["name"])):
        stacks[scale.bucket(row)].append(row)
    baseline = TOP + max(len(stack) for stack in stacks.values()) * STEP
    legend = _legend(rows)
    return {
        "width": WIDTH,
        "height": baseline + BOTTOM,
        "baseline": baseline,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "marks": _marks(stacks, scale, baseline),
        "years": _years(scale),
        "legend": legend,
        "description": _description(rows, scale, legend, undated),
        "radius": RADIUS,
        "square": 2 * RADIUS,
        "target": TARGET,
    }


def _marks(stacks, scale, baseline):
    labels = dict(OpennessClass.choices)
    return [
        Mark(
            x=LEFT + (bucket + 0.5) * scale.column,
            y=baseline - RADIUS - 1 - level * STEP,
            name=row["name"],
            date=format_release_date(row["release_date"], row["release_date_precision"], "human"),
            url=reverse("catalog:detail", args=[row["slug"]]),
            openness_class=row["openness_class"],
            label=labels.get(row["openness_class"], ""),
            shape=SHAPES.get(row["openness_class"], "square"),
            colour=COLOURS.get(row["openness_class"], "#555b66"),
        )
        for bucket, stack in sorted(stacks.items())
        for level, row in enumerate(stack)
    ]


def _years(scale):
    return [
        {
            "year": year,
            "x": LEFT + (year - scale.first) * 12 / scale.months * scale.column,
            "mid": LEFT + ((year - scale.first) * 12 + 6) / scale.months * scale.column,
        }
        for year in range(scale.first, scale.last + 1)
    ]


def _legend(rows):
    counts = Counter(row["openness_class"] for row in rows)
    return [
        {
            "key": key,
            "label": label,
            "count": counts.get(key, 0),
            "shape": SHAPES[key],
            "colour": COLOURS[key],
        }
        for key, label in OpennessClass.choices
    ]


def _description(rows, scale, legend, undated):
    summary = ", ".join(f"{item['count']} {item['label'].lower()}" for item in legend)
    description = (
        f"{len(rows)} models released between {scale.first} and {scale.last}, one mark per "
        f"model, stacked by {scale.period} of release: {summary}."
    )
    if undated:
        description += f" {undated} without a known release date are not shown."
    return description

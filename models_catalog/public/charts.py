"""Geometry for the server-rendered SVG chart of releases over time (no JavaScript)."""

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.urls import reverse

from models_catalog.formatting import format_release_date
from models_catalog.models import OpennessClass

WIDTH, LEFT, RIGHT, TOP, BOTTOM = 720, 16, 16, 12, 36
RADIUS, STEP = 5, 12
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
    def diamond(self):
        r = RADIUS + 1
        return f"M{self.x:.1f} {self.y - r:.1f}L{self.x + r:.1f} {self.y:.1f}L{self.x:.1f} {self.y + r:.1f}L{self.x - r:.1f} {self.y:.1f}Z"


def release_chart(rows, undated=0):
    """Marks, axis ticks and legend for `rows` (dicts with name, slug, release_date,
    release_date_precision, openness_class), stacked per period. None when nothing is dated.
    """
    rows = [row for row in rows if row["release_date"]]
    if not rows:
        return None
    first, last = (
        min(r["release_date"].year for r in rows),
        max(r["release_date"].year for r in rows),
    )
    span = last - first + 1
    months = 1 if span <= 3 else 3 if span <= 8 else 12
    buckets = span * 12 // months
    column = (WIDTH - LEFT - RIGHT) / buckets
    stacks = defaultdict(list)
    for row in sorted(rows, key=lambda r: (r["release_date"], r["name"])):
        month = 6 if row["release_date_precision"] == "year" else row["release_date"].month - 1
        stacks[((row["release_date"].year - first) * 12 + month) // months].append(row)
    tallest = max(len(stack) for stack in stacks.values())
    baseline = TOP + tallest * STEP
    height = baseline + BOTTOM
    labels = dict(OpennessClass.choices)
    marks = [
        Mark(
            x=LEFT + (bucket + 0.5) * column,
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
    years = [
        {
            "year": year,
            "x": LEFT + (year - first) * 12 / months * column,
            "mid": LEFT + ((year - first) * 12 + 6) / months * column,
        }
        for year in range(first, last + 1)
    ]
    counts = Counter(row["openness_class"] for row in rows)
    legend = [
        {
            "key": key,
            "label": label,
            "count": counts.get(key, 0),
            "shape": SHAPES[key],
            "colour": COLOURS[key],
        }
        for key, label in OpennessClass.choices
    ]
    summary = ", ".join(f"{item['count']} {item['label'].lower()}" for item in legend)
    description = (
        f"{len(rows)} models released between {first} and {last}, one mark per model, "
        f"stacked by {'month' if months == 1 else 'quarter' if months == 3 else 'year'} "
        f"of release: {summary}."
    )
    if undated:
        description += f" {undated} without a known release date are not shown."
    return {
        "width": WIDTH,
        "height": height,
        "baseline": baseline,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "marks": marks,
        "years": years,
        "legend": legend,
        "description": description,
        "radius": RADIUS,
        "square": 2 * RADIUS,
    }

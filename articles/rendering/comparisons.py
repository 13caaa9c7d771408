"""`[[compare:a,b,c]]`: the author's compare set, a live comparison table inside the body.

The reference stands on a line of its own. It renders the compare page's rows
(models_catalog/public/comparison.py) as a compact table, which the site's Markdown wraps in
the scroll box every table gets. Its models are recorded as the body's mentioned models, so
the path that re-renders bodies naming a changed catalog entry (articles/signals.py) keeps the
table current. Slugs that match nothing are named in plain text after the table (and wait in
PendingReference for an entry with that slug); past the compare page's MAX_MODELS the rest
are named as left out. The writer is told about both.
"""

import re
import xml.etree.ElementTree as etree
from urllib.parse import urlencode

from django.urls import reverse
from markdown.blockprocessors import BlockProcessor
from markdown.util import AtomicString

from models_catalog.models import AIModel
from models_catalog.public.comparison import MAX_ASKED, MAX_MODELS, MIN_MODELS, comparison_rows

COMPARE = r"\[\[compare:([A-Za-z0-9_, -]{1,2000})\]\]"
_COMPARE_LINE = re.compile(rf"^[ \t]*{COMPARE}[ \t]*$", re.MULTILINE)
_COMPARE_BLOCK = re.compile(rf"\s*{COMPARE}\s*")


def compare_slugs(text):
    """[[slug, …], …]: each compare set of a body, in order, duplicates and blanks dropped."""
    return [_split(found) for found in _COMPARE_LINE.findall(text or "")]


def _split(found):
    return list(dict.fromkeys(s.strip().lower() for s in found.split(",") if s.strip()))[:MAX_ASKED]


class Comparisons:
    """Every compare set of one body, its models looked up in one go (for the compare rows)."""

    def __init__(self, text):
        self.sets = compare_slugs(text)
        wanted = {slug for slugs in self.sets for slug in slugs}
        found = AIModel.objects.for_detail().filter(slug__in=wanted) if wanted else []
        self.models = {m.slug: m for m in found}
        self.missing = sorted(wanted - set(self.models))
        self.notices = []
        for slugs in self.sets:
            known = [slug for slug in slugs if slug in self.models]
            if len(known) > MAX_MODELS:
                left_out = ", ".join(known[MAX_MODELS:])
                self.notices.append(
                    f"[[compare:…]] compares at most {MAX_MODELS} models; left out: {left_out}"
                )

    @property
    def model_ids(self):
        return [m.pk for m in self.models.values()]

    def append_to(self, box, slugs):
        """Add the table to `box` (under MIN_MODELS known, only what is missing)."""
        models = [self.models[slug] for slug in slugs if slug in self.models]
        shown, left_out = models[:MAX_MODELS], models[MAX_MODELS:]
        if len(shown) >= MIN_MODELS:
            box.append(_table(shown))
            query = urlencode([("m", m.slug) for m in shown])
            link = etree.SubElement(etree.SubElement(box, "p"), "a")
            link.set("href", f"{reverse('catalog:compare')}?{query}")
            link.text = AtomicString("Open this comparison in the compare tool")
        unknown = [slug for slug in slugs if slug not in self.models]
        for label, names in (
            ("Not in the catalog, so not compared", unknown),
            (f"At most {MAX_MODELS} models fit side by side; left out", [m.name for m in left_out]),
        ):
            if names:
                note = etree.SubElement(box, "p")
                note.text = AtomicString(f"{label}: {', '.join(names)}.")


def _table(models):
    table = etree.Element("table", {"class": "compare-table"})
    caption = etree.SubElement(table, "caption")
    caption.text = AtomicString(f"Side by side: {', '.join(m.name for m in models)}")
    head = etree.SubElement(etree.SubElement(table, "thead"), "tr")
    etree.SubElement(head, "th", {"scope": "col"}).text = AtomicString("Fact")
    for model in models:
        link = etree.SubElement(etree.SubElement(head, "th", {"scope": "col"}), "a")
        link.set("href", model.get_absolute_url())
        link.text = AtomicString(model.name)
    body = etree.SubElement(table, "tbody")
    group = None
    for row in comparison_rows(models):
        if row.group and row.group != group:
            tr = etree.SubElement(body, "tr", {"class": "compare-table__group"})
            th = etree.SubElement(tr, "th", {"scope": "colgroup", "colspan": str(len(models) + 1)})
            th.text = AtomicString(f"Openness: {row.group.lower()}")
        group = row.group
        _row(body, row)
    return table


def _row(body, row):
    tr = etree.SubElement(body, "tr")
    etree.SubElement(tr, "th", {"scope": "row"}).text = AtomicString(row.label)
    for cell in row.cells:
        td = etree.SubElement(tr, "td")
        if cell.css and "muted" not in cell.css:
            span = etree.SubElement(td, "span", {"class": cell.css})
            span.text = AtomicString(cell.text)
        else:
            td.text = AtomicString(cell.text)
        if cell.is_best:
            if len(td):
                td[-1].tail = " "
            else:
                td.text = AtomicString(f"{td.text} ")
            mark = etree.SubElement(td, "abbr", {"class": "best-mark"})
            mark.set("title", f"Best: {row.best_rule}")
            mark.text = AtomicString("★")


class CompareProcessor(BlockProcessor):
    """A paragraph that is only `[[compare:…]]` becomes the comparison."""

    def __init__(self, parser, comparisons):
        super().__init__(parser)
        self.comparisons = comparisons

    def test(self, parent, block):
        return _COMPARE_BLOCK.fullmatch(block) is not None

    def run(self, parent, blocks):
        found = _COMPARE_BLOCK.fullmatch(blocks.pop(0)).group(1)
        self.comparisons.append_to(parent, _split(found))

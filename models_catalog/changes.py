"""What a catalog write changed: the facts of an entry, their differences, and who wrote them.

Every write of writes.py ends with a Change per entry, its facts old -> new, and the
WriteContext it was made in; a history of facts (issue 15) records exactly these.
"""

from dataclasses import dataclass, field

# The facts of an entry, as typed; the rest of its columns are derived or bookkeeping.
FACT_COLUMNS = [
    "name", "slug", "organization_id", "family", "kind", "release_date",
    "release_date_precision", "license_id", "weights", "parameters", "active_parameters",
    "context_window", "api", "price_input_per_mtok", "price_output_per_mtok", "homepage_url",
    "model_card_url", "paper_url", "weights_url", "summary", "description", "source_url",
    "as_of", "fact_sources", "not_applicable",
]  # fmt: skip
MODALITY_LINKS = ["input_modalities", "output_modalities"]
# Derived, and compared too: an import repairs a stale score. description_html follows
# description, so it is rendered again only when the description changes.
DERIVED_COLUMNS = ["openness_score", "openness_class"]
_EMPTY = (None, "", ())


@dataclass(frozen=True)
class WriteContext:
    """Who or what writes: `source` such as "admin", "import:models.csv", "demo", "restore";
    `actor` the user behind it, if any."""

    source: str
    actor: object = None


@dataclass
class Change:
    """What one write did to one entry: `fields` maps each fact that changed to (old, new).

    Facts are the typed columns (foreign keys as ids), "tags" (lower-case names, sorted),
    "input_modalities" and "output_modalities" (codes, in order), "prices" (point tuples: unit, amount,
    condition, as-of date, source; sorted), "openness.<dimension>"
    ((grade, link, notes) or None) and the derived openness columns.
    """

    pk: int
    slug: str
    created: bool = False
    deleted: bool = False
    fields: dict = field(default_factory=dict)
    # Set once the history of facts holds it (a write inside another is finished twice).
    recorded: bool = field(default=False, repr=False, compare=False)

    @property
    def changed(self):
        return self.created or self.deleted or bool(self.fields)


def with_facts(queryset):
    """`queryset` with everything `facts` reads, prefetched."""
    return queryset.select_related("index_system").prefetch_related(
        "openness_grades", "tagged_items__tag", "price_points", *MODALITY_LINKS
    )


def facts(model):
    """{fact: value} for an entry loaded through `with_facts`."""
    found = {name: getattr(model, name) for name in FACT_COLUMNS + DERIVED_COLUMNS}
    found["tags"] = tuple(sorted(item.tag.name.lower() for item in model.tagged_items.all()))
    for name in MODALITY_LINKS:
        found[name] = tuple(modality.code for modality in getattr(model, name).all())
    found["prices"] = tuple(sorted(point.as_tuple() for point in model.price_points.all()))
    for grade in model.openness_grades.all():
        found[f"openness.{grade.dimension}"] = (grade.grade, grade.link, grade.notes)
    return found


def diff(before, after):
    """{fact: (old, new)} for every fact that differs; empty values are all alike."""
    keys = [*after, *(key for key in before if key not in after)]
    changed = {}
    for key in keys:
        old, new = before.get(key), after.get(key)
        if old != new and not (_empty(old) and _empty(new)):
            changed[key] = (old, new)
    return changed


def _empty(value):
    return value in _EMPTY or value == {} or value == []


# What lists of entries order, filter or name them by (tag and article pages, compare choices).
ORDERING_FACTS = {
    "name", "slug", "organization_id", "family", "release_date", "tags",
    "openness_score", "openness_class",
}  # fmt: skip


def moves_in_lists(change):
    """True when `change` may move the entry in, into or out of a list of entries (the page
    cache's `order:models`, models_catalog/announce.py); a price or a context window does not."""
    return change.created or change.deleted or bool(ORDERING_FACTS & set(change.fields))

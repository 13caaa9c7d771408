"""Catalog reads that span several filters: the faceted, sortable list and its counts."""

import functools
import json
import operator
from dataclasses import dataclass, field

from django.db.models import Case, CharField, Count, F, Q, Value, When
from django.db.models.functions import ExtractYear
from taggit.models import Tag

from config.lib.cache import generational
from models_catalog.models import AIModel, License, Modality, Organization, TaggedModel

SORTS = {
    "newest": ("Newest", [F("release_date").desc(nulls_last=True)]),
    "name": ("Name", []),
    "parameters": ("Most parameters", [F("parameters").desc(nulls_last=True)]),
    "context": ("Longest context", [F("context_window").desc(nulls_last=True)]),
    "openness": ("Most open", [F("openness_score").desc(nulls_last=True)]),
    "price": ("Cheapest input", [F("price_input_per_mtok").asc(nulls_last=True)]),
    # The other direction of each: unknown and not applicable (NULL) sort last either way.
    "price-desc": ("Dearest input", [F("price_input_per_mtok").desc(nulls_last=True)]),
    "parameters-asc": ("Fewest parameters", [F("parameters").asc(nulls_last=True)]),
    "context-asc": ("Shortest context", [F("context_window").asc(nulls_last=True)]),
    "oldest": ("Oldest", [F("release_date").asc(nulls_last=True)]),
}
# (URL parameter, heading), in the order the facets are shown.
FACETS = [
    ("kind", "Kind"),
    ("weights", "Weights"),
    ("license", "Licence"),
    ("org", "Organisation"),
    ("modality", "Modality"),
    ("price", "Input price"),
    ("tag", "Tag"),
    ("year", "Release year"),
]
FIXED_CHOICES = {
    "kind": dict(AIModel.Kind.choices),
    "weights": dict(AIModel.Weights.choices),
    "license": dict(License.Kind.choices),
    "modality": dict(Modality.Code.choices),
    # Unknown (not disclosed) and not applicable (no API, priced per image) apart.
    "price": {"listed": "Listed", "unknown": "Unknown", "n-a": "Not applicable"},
}
MAX_QUERY_LENGTH = 100
MAX_TAG_VALUES = 30


def modality_q(codes):
    """Inputs or outputs include one of `codes`.

    Subqueries on the two link tables rather than joins, so a model with a modality on both
    sides is still one row (no DISTINCT), and a count over them stays one query.
    """
    query = Q()
    for name in ("input_modalities", "output_modalities"):
        links = getattr(AIModel, name).through.objects.filter(modality__in=codes)
        query |= Q(pk__in=links.values("aimodel_id"))
    return query


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    url: str


@dataclass
class Facet:
    param: str
    label: str
    values: list


@dataclass
class CatalogQuery:
    """What the reader asked for in the query string, validated. Junk becomes a notice."""

    params: object  # the request's QueryDict
    text: str = ""
    sort: str = "newest"
    filters: dict = field(default_factory=dict)
    notices: list = field(default_factory=list)

    @classmethod
    def from_querydict(cls, params):
        query = cls(params=params)
        query.text = params.get("q", "").strip()[:MAX_QUERY_LENGTH]
        sort = params.get("sort", "") or "newest"
        if sort in SORTS:
            query.sort = sort
        else:
            query.notices.append(f"Unknown sort “{sort[:40]}” was ignored; sorted by newest.")
        for param, label in FACETS:
            values = list(dict.fromkeys(v.strip() for v in params.getlist(param) if v.strip()))
            valid = [v for v in values if _well_formed(param, v)]
            for value in values:
                if value not in valid:
                    query._unknown(label, value)
            if valid:
                query.filters[param] = valid
        query._drop_unknown_slugs()
        return query

    def _drop_unknown_slugs(self):
        """Check organisation and tag slugs against the database (one query, if any)."""
        wanted = {param: self.filters.get(param, []) for param in ("org", "tag")}
        if not any(wanted.values()):
            return
        label = CharField()
        known = set(
            Organization.objects.filter(slug__in=wanted["org"])
            .annotate(facet=Value("org", output_field=label))
            .values_list("facet", "slug")
            .order_by()
            .union(
                Tag.objects.filter(slug__in=wanted["tag"])
                .annotate(facet=Value("tag", output_field=label))
                .values_list("facet", "slug")
                .order_by()
            )
            .order_by()  # the combined query would otherwise inherit Organization's ordering
        )
        labels = dict(FACETS)
        for param, values in wanted.items():
            if not values:
                continue
            for value in values:
                if (param, value) not in known:
                    self._unknown(labels[param], value)
            self.filters[param] = [v for v in values if (param, v) in known]
            if not self.filters[param]:
                del self.filters[param]

    def _unknown(self, label, value):
        self.notices.append(f"Unknown {label.lower()} “{value[:40]}” was ignored.")

    @property
    def selection_key(self):
        """What selects the models (text and filters, normalised), for cache keys."""
        filters = sorted((param, sorted(values)) for param, values in self.filters.items())
        return json.dumps([self.text, filters], ensure_ascii=True)

    @property
    def sort_label(self):
        return SORTS[self.sort][0]

    def models(self, exclude=()):
        """Models matching the text and every facet except `exclude` (one or several)."""
        exclude = (exclude,) if isinstance(exclude, str) else exclude or ()
        models = AIModel.objects.all()
        if self.text:
            models = models.filter(
                Q(name__icontains=self.text)
                | Q(family__icontains=self.text)
                | Q(summary__icontains=self.text)
                | Q(organization__name__icontains=self.text)
            )
        for param, values in self.filters.items():
            if param not in exclude:
                models = models.filter(_facet_q(param, values))
        return models

    def results(self):
        """The matching models in the chosen order."""
        return self.models().order_by(*SORTS[self.sort][1], "name", "pk")

    def url_with(self, param, value=None, toggle=False):
        """This query string with `param` set (or `value` toggled in it), minus the page."""
        params = self.params.copy()
        params.pop("page", None)
        if toggle:
            values = params.getlist(param)
            params.setlist(
                param, [v for v in values if v != value] if value in values else [*values, value]
            )
        elif value is None:
            params.pop(param, None)
        else:
            params[param] = value
        encoded = params.urlencode()
        return f"?{encoded}" if encoded else "?"

    @property
    def page_query_string(self):
        """The query string for pagination links (everything but the page)."""
        params = self.params.copy()
        params.pop("page", None)
        return params.urlencode()

    @property
    def active_filters(self):
        """[(heading, value, removal url)] for the filters in force."""
        labels = dict(FACETS)
        active = [
            (
                labels[param],
                FIXED_CHOICES.get(param, {}).get(value, value),
                self.url_with(param, value, toggle=True),
            )
            for param, values in self.filters.items()
            for value in values
        ]
        if self.text:
            active.insert(0, ("Text", self.text, self.url_with("q")))
        return active


def _well_formed(param, value):
    if param in FIXED_CHOICES:
        return value in FIXED_CHOICES[param]
    if param == "year":
        return value.isascii() and value.isdigit() and 1900 <= int(value) <= 2100
    return len(value) <= 150  # organisation and tag slugs are checked against the counts


def price_q(value):
    """The models whose current input price is listed, unknown, or does not apply."""
    listed = Q(price_input_per_mtok__isnull=False)
    # The JSON text of the list holds the quoted fact name (icontains works on every backend).
    not_applicable = Q(not_applicable__icontains='"price_input_per_mtok"')
    return {"listed": listed, "n-a": ~listed & not_applicable}.get(value, ~listed & ~not_applicable)


def _facet_q(param, values):
    if param == "kind":
        return Q(kind__in=values)
    if param == "weights":
        return Q(weights__in=values)
    if param == "license":
        return Q(license__kind__in=values)
    if param == "org":
        return Q(organization__slug__in=values)
    if param == "tag":
        tagged = TaggedModel.objects.filter(tag__slug__in=values).values("content_object_id")
        return Q(pk__in=tagged)
    if param == "year":
        return Q(release_date__year__in=[int(v) for v in values])
    if param == "price":
        return functools.reduce(operator.or_, (price_q(v) for v in values))
    return modality_q(values)


def catalog_facets(query):
    """[Facet] for the list page: every value with its count under the other facets.

    Four queries (the fixed-value facets in one, organisations, tags, years), so the cost does not grow with the number of models. A value
    counts the models that would match if it were added to the current selection. The
    counts are kept until the next catalog write (`generational`), under the selection
    alone: another page, another sort order or the same filters in another order reuse them.
    A selection with free text is computed each time (see `views._kept`).
    """
    if query.text:
        named = _counts(query)
    else:
        named = generational(f"facets:{query.selection_key}", ("catalog",), lambda: _counts(query))
    return [_facet(query, param, label, named[param]) for param, label in FACETS]


def _counts(query):
    """{param: [(value, label, count)]}: what `catalog_facets` shows, before links."""
    counts = _fixed_counts(query)
    years = (
        query.models("year")
        .filter(release_date__isnull=False)
        .annotate(year=ExtractYear("release_date"))
        .values("year")
        .annotate(n=Count("pk"))
        .order_by("-year")
    )
    named = {
        "org": [
            (o.slug, o.name, o.n)
            for o in Organization.objects.annotate(
                n=Count("models", filter=Q(models__in=query.models("org")))
            ).order_by("name", "pk")
        ],
        "tag": _tag_counts(query),
        "year": [(str(y["year"]), str(y["year"]), y["n"]) for y in years],
    }
    for param, choices in FIXED_CHOICES.items():
        named[param] = [(v, label, counts[param].get(v, 0)) for v, label in choices.items()]
    return named


def _fixed_counts(query):
    """{param: {value: count}} for the facets with a fixed set of values, in one query.

    Each value counts the models matching the selection with that value instead of its own
    facet's choice (the other facets' choices still apply): one filtered count per value.
    """
    chosen = {
        param: _facet_q(param, query.filters[param]) if param in query.filters else Q()
        for param in FIXED_CHOICES
    }

    def others(param):
        return functools.reduce(operator.and_, (q for p, q in chosen.items() if p != param), Q())

    counts = query.models(tuple(FIXED_CHOICES)).aggregate(
        **{
            f"{param}:{value}": Count("pk", filter=_facet_q(param, [value]) & others(param))
            for param, choices in FIXED_CHOICES.items()
            for value in choices
        }
    )
    found = {param: {} for param in FIXED_CHOICES}
    for key, n in counts.items():
        param, value = key.split(":", 1)
        found[param][value] = n
    return found


def _tag_counts(query):
    """[(slug, name, count)] for the tag facet: the selected tags, then the most used.

    Only what the facet shows comes back (MAX_TAG_VALUES beyond the selection), grouped over
    the tag rows of the matching models (plus the selected tags' rows, so a selected tag
    with no match still shows, at 0), not over every tag in the catalog.
    """
    selected = query.filters.get("tag", [])
    matching = Q(content_object__in=query.models("tag"))
    rows = (
        TaggedModel.objects.filter(matching | Q(tag__slug__in=selected))
        .values("tag__slug", "tag__name")
        .annotate(
            n=Count("pk", filter=matching),
            chosen=Case(When(tag__slug__in=selected, then=Value(1)), default=Value(0)),
        )
        .order_by("-chosen", "-n", "tag__name")[: MAX_TAG_VALUES + len(selected)]
    )
    return [(t["tag__slug"], t["tag__name"], t["n"]) for t in rows]


def _facet(query, param, label, rows):
    selected = query.filters.get(param, [])
    rows = [(value, name, count) for value, name, count in rows if count or value in selected]
    if param == "tag":
        rows = [r for r in rows if r[0] in selected] + [r for r in rows if r[0] not in selected][
            :MAX_TAG_VALUES
        ]
    # Links are built for the values shown only (each is a copy and an urlencode).
    values = [
        FacetValue(value, name, count, value in selected, query.url_with(param, value, toggle=True))
        for value, name, count in rows
    ]
    return Facet(param, label, values)


COMPARE_CHOICES = 50


def compare_choices(selected=(), exclude=None, limit=COMPARE_CHOICES):
    """[(slug, name, checked)] for a compare form: `selected` (checked), then the newest others.

    Bounded, so the form stays small with 10,000 models in the catalog (issue 7); any model
    can still be added from its own page. One query.
    """
    others = AIModel.objects.exclude(pk__in=[m.pk for m in selected])
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    return [(m.slug, m.name, True) for m in selected] + [
        (slug, name, False) for slug, name in others.values_list("slug", "name")[:limit]
    ]

from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from config.lib.cache import depends_on, generational, public_page
from config.lib.cache_keys import choice, do_not_store, get_page, page_number, several, text
from config.lib.fragments import RowsPaginator, Shown
from models_catalog.models import (
    CITATION,
    CITATION_URL,
    DIMENSION_GROUPS,
    OPEN_SOURCE_DIMENSIONS,
    SCORED_DIMENSIONS,
    AIModel,
    FactChange,
    IndexRelease,
)
from models_catalog.models.aimodels import DETAIL_PREFETCHED
from models_catalog.models.history import began, rewind_all
from models_catalog.public import asof, provenance
from models_catalog.public.cards import aimodel_card, compare_card, compare_slugs
from models_catalog.public.charts import release_chart
from models_catalog.public.comparison import MAX_MODELS, compare_selection, comparison_rows
from models_catalog.public.queries import (
    FACETS,
    MAX_QUERY_LENGTH,
    SORTS,
    CatalogQuery,
    catalog_facets,
    compare_choices,
)
from models_catalog.transfer import exporter

PAGE_SIZE = 20
CHART_MAX_MODELS = 500
CHART_FIELDS = ["name", "slug", "release_date", "release_date_precision", "openness_class"]


TOO_MANY = "too many"
SLUG_LENGTH = AIModel._meta.get_field("slug").max_length
# The query parameters each page reads (config/lib/cache_keys.py). A selection is at most
# MAX_FACET_VALUES values per facet; more is answered, never cached.
MAX_FACET_VALUES = 20
SELECTION = {
    "q": text(MAX_QUERY_LENGTH),
    **{param: several(MAX_FACET_VALUES, SLUG_LENGTH) for param, _ in FACETS},
}
# Exports read the sort only to name an unknown one in X-Catalog-Notice.
EXPORT_PARAMS = {**SELECTION, "sort": choice(*SORTS, default="newest"), **asof.PARAMS}
LIST_PARAMS = {**SELECTION, "sort": choice(*SORTS, default="newest"), "page": page_number()}
COMPARE_PARAMS = {"m": several(MAX_MODELS, SLUG_LENGTH, ordered=True), **asof.PARAMS}
CHANGES_PAGE_SIZE = 50
SIBLING_FIELDS = [
    "name", "slug", "parameters", "release_date", "release_date_precision", "not_applicable",
]  # fmt: skip


CHART_PARTIAL = "models_catalog/aimodel_list.html#release-chart"


def _chart(query):
    """The release chart for `query`'s models, or TOO_MANY past CHART_MAX_MODELS.

    One mark per model: past CHART_MAX_MODELS the chart would be thousands of SVG links
    (10,000 models: 1.4 s to build, megabytes of HTML), so the page asks for a narrower
    selection instead.
    """
    dated = list(query.models().values(*CHART_FIELDS)[: CHART_MAX_MODELS + 1])
    if len(dated) > CHART_MAX_MODELS:
        return TOO_MANY
    return release_chart(dated, undated=sum(1 for r in dated if not r["release_date"]))


def _chart_html(query, chart):
    """The chart's SVG, rendered once per selection and catalog generation (issue 18).

    One link with a dozen variables per model: about three quarters of the catalog's render
    time. The markup depends on `chart` only, itself kept until the next catalog write, so
    the HTML is kept beside it under the same generation.
    """
    if not chart or chart == TOO_MANY:
        return ""
    html = _kept(
        query,
        "chart-html",
        lambda: str(render_to_string(CHART_PARTIAL, {"chart": chart})),
    )
    return mark_safe(html)  # our template's own output, escaped when rendered


def _kept(query, name, compute):
    """`compute()` for the selection, kept until the next catalog write.

    Free text is the reader's own choice, so a selection with text is computed each time:
    kept, its entries would have no bound but the reader's imagination.
    """
    if query.text:
        return compute()
    return generational(f"{name}:{query.selection_key}", ("catalog",), compute)


@public_page("catalog", params=LIST_PARAMS)
def aimodel_list(request):
    query = CatalogQuery.from_querydict(request.GET)
    # Facet counts change with any catalog write: a part that declares nothing is kept until
    # the next one (config/lib/fragments.py). Free text is not kept: readers choose it freely.
    facets = Shown(lambda: catalog_facets(query))
    # The count and the chart depend on the selection only: kept until the next catalog
    # write, like the facet counts.
    # A page's ids are kept like its count (a sort over the selection): the rows are read
    # only for cards built again ({% cards %}).
    paginator = RowsPaginator(
        query.results().for_listing(),
        PAGE_SIZE,
        kept_ids=lambda number, compute: _kept(query, f"ids:{query.sort}:{number}", compute),
    )
    paginator.count = _kept(query, "count", query.models().count)
    page = get_page(request, paginator)
    chart = _kept(query, "chart", lambda: _chart(query))
    if query.notices or (query.text and not paginator.count):
        do_not_store(request)  # unknown values quoted back, or free text matching nothing
    depends_on("list:models")
    context = {
        "query": query,
        "facets": facets,
        "page_obj": page,
        "query_string": query.page_query_string,
        "sorts": [(key, label) for key, (label, _) in SORTS.items()],
        "chart": chart,
        "chart_html": _chart_html(query, chart),
        "chart_max_models": CHART_MAX_MODELS if chart == TOO_MANY else None,
        "keep_fragments": None if query.text else ("catalog",),
    }
    return render(request, "models_catalog/aimodel_list.html", context)


@public_page("articles", "catalog", params=asof.PARAMS)
def aimodel_detail(request, slug):
    """A model's page. Its parts are kept between renders (`{% kept %}`, not on an ?as_of
    page): the entry with everything it shows is loaded only for a part built again."""
    model = get_object_or_404(AIModel.objects.for_page(), slug=slug)
    try:
        day = asof.as_of_day(request)
    except asof.BadAsOf as bad:
        return asof.bad_request(request, str(bad))
    if day is not None and day < began(model):
        return asof.not_yet(request, model, day)
    detail = Shown(lambda: _detail(model, day))
    context = {
        "model": detail.value if day else model,  # the title and meta tags: name, summary
        "detail": detail,
        "as_of": day,
        "sources": Shown(lambda: provenance.sources(detail.value)),
        "price_rows": Shown(lambda: provenance.price_rows(detail.value)),
        "changelog": Shown(lambda: provenance.changelog(detail.value, day)),
        "siblings": Shown(lambda: _shown_siblings(detail.value)),
        "compare_choices": Shown(lambda: _compare_choices(model)),
        "citation": CITATION,
        "citation_url": CITATION_URL,
        "card": Shown(lambda: aimodel_card(detail.value)),
        "keep_fragments": None if day else ("articles", "catalog"),
        "model_keys": [f"model:{model.pk}"],
    }
    depends_on(*context["model_keys"])  # its name and summary, outside the kept parts
    return render(request, "models_catalog/aimodel_detail.html", context)


def _detail(model, day):
    """The entry with all it shows: its row's related rows, loaded on the row the page read."""
    prefetch_related_objects([model], *DETAIL_PREFETCHED)
    if day is not None:
        rewind_all([model], day)
    depends_on(*(f"tag:{tag.pk}" for tag in model.tags.all()))  # its tags' names
    return model


def _shown_siblings(model):
    siblings = list(_siblings(model))
    depends_on(*(f"model:{m.pk}" for m in siblings), "order:models")  # who is in the family
    return siblings


def _compare_choices(model):
    depends_on("names:models")
    return compare_choices(exclude=model)


def _siblings(model):
    if not model.family:
        return []
    return (
        AIModel.objects.filter(family=model.family)
        .exclude(pk=model.pk)
        .only(*SIBLING_FIELDS)
        .order_by("parameters", "name", "pk")
    )


@public_page("catalog")
def methodology(request):
    """Where the grades come from and how the score and class are worked out."""
    context = {
        "release": IndexRelease.objects.first(),
        "scored_dimensions": SCORED_DIMENSIONS,
        "open_source_dimensions": [d.label for d in OPEN_SOURCE_DIMENSIONS],
        "citation": CITATION,
        "citation_url": CITATION_URL,
    }
    return render(request, "models_catalog/methodology.html", context)


@public_page("catalog", params=COMPARE_PARAMS)
def aimodel_compare(request):
    try:
        day = asof.as_of_day(request)
    except asof.BadAsOf as bad:
        return asof.bad_request(request, str(bad))
    asked = request.GET.getlist("m")
    models, notices = compare_selection(asked)
    if len(models) != len(asked):
        do_not_store(request)  # a slug not in the catalog, quoted back in a notice
    if day is not None:
        models, notices = _as_of(models, notices, day)
    depends_on(*(f"model:{m.pk}" for m in models), "names:models")
    compared = len(models) >= 2
    context = {
        "models": models,
        "notices": notices,
        "as_of": day,
        "card": compare_card(models) if compared else None,
        "canonical_slugs": compare_slugs(models) if compared else [],
        "rows": comparison_rows(models) if len(models) >= 2 else [],
        "max_models": MAX_MODELS,
        "choices": compare_choices(selected=models),
        "dimension_groups": DIMENSION_GROUPS,
    }
    return render(request, "models_catalog/aimodel_compare.html", context)


def _as_of(models, notices, day):
    """The models as they stood on `day`; those not yet recorded then are named and left out."""
    kept = [m for m in models if began(m) <= day]
    if missing := [m.name for m in models if m not in kept]:
        notices = [*notices, f"No facts yet on {day.isoformat()} for: {', '.join(missing)}."]
    return rewind_all(kept, day), notices


@public_page("catalog", params={"page": page_number()})
def changes_list(request):
    """Recent changes to catalog facts, newest first."""
    rows = FactChange.objects.shown()
    page = get_page(request, Paginator(rows, CHANGES_PAGE_SIZE))
    return render(request, "models_catalog/changes_list.html", {"page_obj": page})


@public_page("catalog", params=EXPORT_PARAMS)
def aimodel_export(request, fmt):
    """The filtered list (the list page's selection) in the import format."""
    query = CatalogQuery.from_querydict(request.GET)
    try:
        day = asof.as_of_day(request)
    except asof.BadAsOf as bad:
        return HttpResponse(str(bad) + "\n", status=400, content_type="text/plain; charset=utf-8")
    if query.notices:
        do_not_store(request)
    body = exporter.render(query.models(), fmt, day=day)
    if fmt == "csv":
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="models.csv"'
    else:
        response = HttpResponse(body, content_type="application/json")
    for notice in query.notices:
        # The notice quotes the reader's input: one line of ASCII, or the header is refused.
        line = " ".join(notice.split()).encode("ascii", "replace").decode()
        response.headers.setdefault("X-Catalog-Notice", line)
    return response

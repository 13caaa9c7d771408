from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from config.lib.cache import generational, public_page
from models_catalog import exporter
from models_catalog.charts import release_chart
from models_catalog.comparison import MAX_MODELS, compare_selection, comparison_rows
from models_catalog.models import DIMENSION_GROUPS, OPEN_SOURCE_DIMENSIONS, AIModel
from models_catalog.queries import SORTS, CatalogQuery, catalog_facets, compare_choices

PAGE_SIZE = 20
CHART_MAX_MODELS = 500
CHART_FIELDS = ["name", "slug", "release_date", "release_date_precision", "openness_class"]


TOO_MANY = "too many"


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


@public_page("catalog")
def aimodel_list(request):
    query = CatalogQuery.from_querydict(request.GET)
    facets = catalog_facets(query)
    # The count and the chart depend on the selection only: kept until the next catalog
    # write, like the facet counts.
    selection, halves = query.selection_key, ("catalog",)
    paginator = Paginator(query.results().for_listing(), PAGE_SIZE)
    paginator.count = generational(f"count:{selection}", halves, query.models().count)
    page = paginator.get_page(request.GET.get("page"))
    chart = generational(f"chart:{selection}", halves, lambda: _chart(query))
    context = {
        "query": query,
        "facets": facets,
        "page_obj": page,
        "query_string": query.page_query_string,
        "sorts": [(key, label) for key, (label, _) in SORTS.items()],
        "chart": chart,
        "chart_max_models": CHART_MAX_MODELS if chart == TOO_MANY else None,
    }
    return render(request, "models_catalog/aimodel_list.html", context)


@public_page("articles", "catalog")
def aimodel_detail(request, slug):
    model = get_object_or_404(AIModel.objects.for_detail(), slug=slug)
    siblings = []
    if model.family:
        siblings = (
            AIModel.objects.filter(family=model.family)
            .exclude(pk=model.pk)
            .only("name", "slug", "parameters", "release_date", "release_date_precision")
            .order_by("parameters", "name", "pk")
        )
    context = {
        "model": model,
        "siblings": siblings,
        "compare_choices": compare_choices(exclude=model),
        "open_source_dimensions": [d.label for d in OPEN_SOURCE_DIMENSIONS],
    }
    return render(request, "models_catalog/aimodel_detail.html", context)


@public_page("catalog")
def aimodel_compare(request):
    models, notices = compare_selection(request.GET.getlist("m"))
    context = {
        "models": models,
        "notices": notices,
        "rows": comparison_rows(models) if len(models) >= 2 else [],
        "max_models": MAX_MODELS,
        "choices": compare_choices(selected=models),
        "dimension_groups": DIMENSION_GROUPS,
    }
    return render(request, "models_catalog/aimodel_compare.html", context)


@public_page("catalog")
def aimodel_export(request, fmt):
    """The filtered list (same parameters as the list page) in the import format."""
    query = CatalogQuery.from_querydict(request.GET)
    body = exporter.render(query.models(), fmt)
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

"""The search page, `/search/?q=…&type=…`: both halves of the site in one ranked list."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.http import urlencode

from articles.models import SearchEntry
from articles.search import results, spelling
from articles.search.query import MAX_QUERY_LENGTH, parse_query
from config.lib import cache_keys
from config.lib.cache_keys import do_not_store, get_page

RESULTS_PER_PAGE = 20
TYPES = {"all": None, "articles": SearchEntry.Kind.ARTICLE, "models": SearchEntry.Kind.MODEL}
LABELS = {"all": "Everything", "articles": "Articles", "models": "Models"}
# What the page reads (config/lib/cache_keys.py): longer text is answered, never cached; an
# unknown type reads as "all", as it always did.
PARAMS = {
    "q": cache_keys.text(MAX_QUERY_LENGTH),
    "type": cache_keys.choice(*TYPES, default="all", strict=False),
    "page": cache_keys.page_number(),
}


def site_search(request):
    text = request.GET.get("q", "")
    kind = request.GET.get("type", "all")
    if kind not in TYPES:
        kind = "all"
    parsed = parse_query(text)
    context = {"q": text[:MAX_QUERY_LENGTH], "parsed": parsed, "type": kind}
    counts = {}
    if parsed:
        counts, found = _search(request, parsed, TYPES[kind])
        context |= found | {"query_string": urlencode({"q": context["q"], "type": kind})}
    context["type_choices"] = [
        {
            "value": name,
            "label": LABELS[name],
            "count": results.shown_count(counts.get(value, 0) if value else sum(counts.values())),
        }
        for name, value in TYPES.items()
    ]
    if text and not context.get("total_number"):
        # Readers choose search text freely: only queries that found something are kept,
        # so random words (or symbols that hold no word) make no cache entries.
        do_not_store(request)
    return render(request, "articles/search.html", context)


def _search(request, parsed, kind):
    """(counts per kind, the page's context) for a search; when it finds nothing, the
    search corrected for spelling, if that finds something ("Showing results for …")."""
    text = request.GET.get("q", "")
    searched = spelling.with_variants(parsed)
    counts, candidates = results.find(searched, kind)
    context = {}
    if not _total(counts, kind) and (corrected := spelling.suggestion(parsed, results.engine())):
        corrected_counts, corrected_candidates = results.find(
            spelling.with_variants(corrected), kind
        )
        if _total(corrected_counts, kind):
            counts, candidates = corrected_counts, corrected_candidates
            searched = spelling.with_variants(corrected)
            text = " ".join([*corrected.terms, *map(" ".join, corrected.phrases)])
            context["corrected"] = text
    return counts, context | _page(request, searched, (counts, candidates), kind, text)


def _total(counts, kind):
    return counts.get(kind, 0) if kind else sum(counts.values())


def _page(request, searched, found, kind, text):
    counts, candidates = found
    total = _total(counts, kind)
    # Only the newest MAX_RANKED matches are ranked (results.candidates); the page count
    # follows from the counts, so there is no COUNT over every match.
    ranked = results.ranked(candidates, searched, first=results.named_models(text))
    paginator = Paginator(ranked, RESULTS_PER_PAGE)
    paginator.count = min(total, results.MAX_RANKED)
    page = get_page(request, paginator)
    return {
        "page_obj": page,
        "hits": results.hits(page, searched),
        "total": results.shown_count(total),  # "1,000+" past MAX_RANKED
        "total_number": total,
    }

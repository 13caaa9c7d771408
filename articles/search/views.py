"""The search page, `/search/?q=…&type=…`: both halves of the site in one ranked list."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.http import urlencode

from articles.models import SearchEntry
from articles.search import results
from articles.search.query import MAX_QUERY_LENGTH, parse_query

RESULTS_PER_PAGE = 20
TYPES = {"all": None, "articles": SearchEntry.Kind.ARTICLE, "models": SearchEntry.Kind.MODEL}
LABELS = {"all": "Everything", "articles": "Articles", "models": "Models"}


def site_search(request):
    text = request.GET.get("q", "")
    kind = request.GET.get("type", "all")
    if kind not in TYPES:
        kind = "all"
    parsed = parse_query(text)
    context = {"q": text[:MAX_QUERY_LENGTH], "parsed": parsed, "type": kind}
    counts = {}
    if parsed:
        counts, candidates = results.find(parsed, TYPES[kind])
        total = counts.get(TYPES[kind], 0) if TYPES[kind] else sum(counts.values())
        # Only the newest MAX_RANKED matches are ranked (results.candidates); the page count
        # follows from the counts, so there is no COUNT over every match.
        paginator = Paginator(results.ranked(candidates, parsed), RESULTS_PER_PAGE)
        paginator.count = min(total, results.MAX_RANKED)
        page = paginator.get_page(request.GET.get("page"))
        context |= {
            "page_obj": page,
            "hits": results.hits(page, parsed),
            "total": results.shown_count(total),  # "1,000+" past MAX_RANKED
            "total_number": total,
            "query_string": urlencode({"q": context["q"], "type": kind}),
        }
    context["type_choices"] = [
        {
            "value": name,
            "label": LABELS[name],
            "count": results.shown_count(counts.get(value, 0) if value else sum(counts.values())),
        }
        for name, value in TYPES.items()
    ]
    return render(request, "articles/search.html", context)

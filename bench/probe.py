"""Inside Django, against the benchmark database: pick the URLs, count queries, time pages.

Run by bench/run.py as a subprocess with the same environment as gunicorn (so the same
database), with the page cache off: `python bench/probe.py urls` prints the URLs to measure
as JSON; `python bench/probe.py measure URL...` prints, per URL, the status, the number of
SQL queries and the median time to build the page in-process (no HTTP, no queueing).
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

RENDERS = 15
AFTER_WRITE_RENDERS = 5


def pick_urls():
    from articles.models import Article, Category, TaggedArticle
    from models_catalog.models import AIModel

    published = Article.objects.published()
    article = published.order_by("-published_at", "-pk")[published.count() // 2]
    category = (
        Category.objects.annotate(n=Count("articles")).order_by("-n", "pk").first()
    )  # the biggest one
    pages = max(1, category.n // 10)
    tag = (
        TaggedArticle.objects.values("tag__slug")
        .annotate(n=Count("pk"))
        .order_by("-n", "tag__slug")
        .first()
    )
    model = AIModel.objects.order_by("pk")[AIModel.objects.count() // 2]
    four = "&".join(
        f"m={slug}" for slug in AIModel.objects.order_by("pk").values_list("slug", flat=True)[:4]
    )
    return {
        "home": "/",
        "article": article.get_absolute_url(),
        "category (deep page)": f"{category.get_absolute_url()}?page={pages // 2 or 1}",
        "tag": f"/tags/{tag['tag__slug']}/",
        "catalog, 3 facets": "/models/?kind=language&weights=open&license=permissive",
        "model": model.get_absolute_url(),
        "compare 4 models": f"/models/compare/?{four}",
        "search": "/search/?q=mixtral",
    }


def pick_more_urls():
    """Other public pages, measured in-process only (the issue's list is `pick_urls`)."""
    from articles.models import Article, Author
    from config.lib import sitemaps
    from config.urls import SITEMAPS

    author = Author.objects.order_by("pk").first()
    pages = max(1, Article.objects.published().filter(author=author).count() // 10)
    article_files = max(1, -(-SITEMAPS["articles"].stats()[0] // sitemaps.LIMIT))
    latest = Article.objects.published().order_by("-published_at").first().published_at
    return {
        "tag index": "/tags/",
        "author (deep page)": f"{author.get_absolute_url()}?page={pages}",
        "archive month": f"/archive/{latest.year}/{latest.month}/",
        "catalog, no filter": "/models/",
        "RSS feed": "/feed/",
        "sitemap index": "/sitemap.xml",
        "sitemap, last articles file": f"/sitemap-articles.xml?p={article_files}",
        "search, a phrase": "/search/?q=%22open+weights%22",
    }


def measure(urls):
    """Per URL: status, queries, median render time (the parts of the page kept by the renders
    before: config/lib/fragments.py), and the median and queries of renders that each follow
    a write (every key bumped: every kept part and per-generation count is built again)."""
    from config.lib import cache

    client = Client(HTTP_HOST="127.0.0.1")
    results = {}
    for url in urls:
        client.get(url)  # warm up: templates, connections
        timings = []
        for _ in range(RENDERS):
            start = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
            queries = len(captured)  # now: the next request clears the connection's log
        after_write = []
        for _ in range(AFTER_WRITE_RENDERS):
            cache.bump()  # every kept part and count is stale: all are built again
            start = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                client.get(url)
            after_write.append((time.perf_counter() - start) * 1000)
            after_write_queries = len(captured)
        results[url] = {
            "status": response.status_code,
            "queries": queries,
            "server_p50_ms": round(statistics.median(timings), 1),
            "after_write_p50_ms": round(statistics.median(after_write), 1),
            "after_write_queries": after_write_queries,
            "bytes": len(response.content),
        }
    return results


if __name__ == "__main__":
    if sys.argv[1] == "urls":
        print(json.dumps(pick_urls()))
    elif sys.argv[1] == "more-urls":
        print(json.dumps(pick_more_urls()))
    else:
        print(json.dumps(measure(sys.argv[2:])))

"""Issue 18 item 3: the uncached in-process cost of the demo's main pages, and where it goes.

Against a database holding the demo content (`manage.py load_demo`), with the page cache off
(DJANGO_PAGE_CACHE=0, set here before Django starts: config/lib/cache.py then serves every
view directly). Renders each page N times through Django's test client and prints, per page,
the status, the SQL query count, and p50/p90 in ms. `--profile` adds, per page, the top
functions by cumulative time over the N renders (cProfile).

    createdb -h 127.0.0.1 -U postgres mp_bench_demo
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/mp_bench_demo
    DJANGO_DEBUG=1 python manage.py migrate && DJANGO_DEBUG=1 python manage.py load_demo --no-accounts
    python bench/render_profile.py [-n 30] [--profile] [--top 25] [--only article]
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_PAGE_CACHE"] = "0"
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + "x" * 40)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.cache import caches  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

TARGETS_MS = {"article": 8, "home": 6, "catalog": 8, "model": 6, "tag": 8, "search": 30}
MAX_QUERIES = 12


def pick_urls():
    from django.db.models import Count

    from models_catalog.models import AIModel

    model = AIModel.objects.order_by("pk").first()
    tag = (
        type(model)
        .tags.through.objects.values("tag__slug")
        .annotate(n=Count("pk"))
        .order_by("-n", "tag__slug")
        .first()
    )
    return {
        "article": "/articles/llama-3-1-vs-gpt-4o-vs-mixtral-vs-claude/",
        "home": "/",
        "catalog": "/models/",
        "model": model.get_absolute_url(),
        "tag": f"/tags/{tag['tag__slug']}/",
        "search": "/search/?q=mixtral",
    }


def _forget_fragments():
    """Empty the default cache (this process's local memory: pages are off, so it holds the
    kept fragments and counts): the next render builds every part, as after a write."""
    caches["default"].clear()


def measure(client, url, renders, cold=False):
    """(status, queries, p50, p90). Warm: parts kept by earlier renders are reused (the
    steady state between writes). Cold: every part and count is built again each time."""
    if cold:
        _forget_fragments()
    else:
        client.get(url, secure=True)  # the parts are kept from now on
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, secure=True)
    n_queries = len(queries)  # now: the next request's start clears the connection's log
    times = []
    for _ in range(renders):
        if cold:
            _forget_fragments()
        start = time.perf_counter()
        client.get(url, secure=True)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p90 = times[min(len(times) - 1, int(len(times) * 0.9))]
    return response.status_code, n_queries, statistics.median(times), p90


def profile(client, url, renders, top):
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(renders):
        client.get(url, secure=True)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=30, help="renders per page (default 30)")
    parser.add_argument("--profile", action="store_true", help="cProfile top functions")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--only", action="append", help="page name(s) to run")
    args = parser.parse_args()
    client = Client()
    print(f"load average: {os.getloadavg()[0]:.2f}; {connection.vendor}; n={args.n}")
    print("warm: kept parts reused (between writes); cold: every part built (after a write)")
    head = f"{'page':<8} {'status':>6} {'target':>6} "
    print(head + "| warm: queries  p50 ms  p90 ms | cold: queries  p50 ms  p90 ms")
    for name, url in pick_urls().items():
        if args.only and name not in args.only:
            continue
        line = f"{name:<8} "
        over = False
        for cold in (False, True):
            status, n_queries, p50, p90 = measure(client, url, args.n, cold=cold)
            over |= n_queries > MAX_QUERIES or (not cold and p50 > TARGETS_MS[name])
            if not cold:
                line += f"{status:>6} {TARGETS_MS[name]:>6} |      "
            line += f"{n_queries:>8} {p50:>7.1f} {p90:>7.1f} |      "
        print(line.rstrip(" |") + ("  over" if over else ""))
        if args.profile:
            print(f"--- {name} {url}\n{profile(client, url, args.n, args.top)}")


if __name__ == "__main__":
    main()

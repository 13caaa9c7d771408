"""What one back-office request costs in-process: the load test's editor loop, request by request.

bench/load_with_writes.py's editors add a draft, add a published article with two tags, look
their article up in the list (?q=title), open its change form and save it (title edit and
retag, with its base_version). Each POST is preceded by a GET of the form (for its CSRF token)
and followed by the redirect to the list. This script runs that loop N times through Django's
test client (logged in with force_login: no password hashing), with the settings the load test
uses (DEBUG off, Redis page cache, tasks queued in the database), and prints per request the
SQL query count and the median and p90 in ms. `--profile NAME` adds a cProfile of that request.

    createdb -h 127.0.0.1 -U postgres mp_admin_prof
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/mp_admin_prof REDIS_URL=redis://127.0.0.1:6379/9
    DJANGO_DEBUG=0 DJANGO_SECRET_KEY=x... python manage.py migrate
    ... python manage.py collectstatic --noinput && ... python manage.py load_demo --no-accounts
    python bench/admin_profile.py [-n 20] [--profile change_post] [--top 40]
"""

import argparse
import cProfile
import io
import os
import pstats
import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + "x" * 40)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_SECURE_COOKIES", "0")
os.environ.setdefault("DJANGO_LOG_LEVEL", "ERROR")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.load_with_writes import article_fields  # noqa: E402 - the editors' own form

ADD = "/admin/articles/article/add/"
LIST = "/admin/articles/article/"
STEPS = ["add_get", "add_draft", "add_published", "list", "list_q", "change_get", "change_post"]


def editor():
    user, _ = User.objects.get_or_create(username="profeditor", defaults={"is_staff": True})
    user.groups.add(Group.objects.get(name="Editors"))
    return user


class Loop:
    """One editor's loop; `timed(name, ...)` records each request's time and queries."""

    def __init__(self, client, prefix, profiles):
        self.client = client
        self.prefix = prefix
        self.times = defaultdict(list)
        self.queries = defaultdict(list)
        self.profiles = profiles  # name -> cProfile.Profile, for the requests to profile
        self.published = {}

    def timed(self, name, method, path, data=None):
        profiler = self.profiles.get(name)
        with CaptureQueriesContext(connection) as captured:
            if profiler:
                profiler.enable()
            start = time.perf_counter()
            response = getattr(self.client, method)(path, data) if data else self.client.get(path)
            elapsed = (time.perf_counter() - start) * 1000
            if profiler:
                profiler.disable()
        if response.status_code not in (200, 302):
            raise SystemExit(f"{name}: {path} answered {response.status_code}")
        if method == "post" and response.status_code != 302:
            errors = re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.text, re.S)
            raise SystemExit(f"{name}: the form was not saved: {errors}")
        self.times[name].append(elapsed)
        self.queries[name].append(len(captured))
        return response

    def step(self, n):
        stamp = f"{self.prefix}n{n}"
        self.timed("add_get", "get", ADD)
        data = article_fields(f"Unpublished {stamp}", f"prof-draft-{stamp}", "draft", ["Load test"])
        data["published_at_0"] = data["published_at_1"] = ""
        self.timed("add_draft", "post", ADD, data)
        self.timed("list", "get", LIST)
        self.client.get(ADD)
        slug, title = f"prof-story-{stamp}", f"Prof story {stamp}"
        tags = ["Load test", f"Load batch {n % 5}"]
        self.timed("add_published", "post", ADD, article_fields(title, slug, "published", tags))
        self.client.get(LIST)
        response = self.timed("list_q", "get", LIST + "?q=" + title.replace(" ", "+"))
        change = re.search(r'href="(/admin/articles/article/\d+/change/)', response.text).group(1)
        page = self.timed("change_get", "get", change).text
        version = re.search(r'name="base_version" value="(\d+)"', page).group(1)
        data = article_fields(
            f"{title} (edited {n})", slug, "published", [*tags, f"Edited {n % 3}"]
        )
        data["base_version"] = version
        self.timed("change_post", "post", change, data)
        self.client.get(LIST)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20, help="loops (default 20)")
    parser.add_argument("--profile", action="append", default=[], help="request name(s)")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="cumulative")
    args = parser.parse_args()
    client = Client()
    client.force_login(editor())
    profiles = {name: cProfile.Profile() for name in args.profile}
    loop = Loop(client, f"p{os.getpid()}", {})
    loop.step(0)  # warm: imports, templates, connections
    loop = Loop(client, f"p{os.getpid()}", profiles)
    for n in range(1, args.n + 1):
        loop.step(n)
    print(f"load average: {os.getloadavg()[0]:.2f}; {connection.vendor}; n={args.n}")
    print(f"{'request':<14} {'queries':>7} {'p50 ms':>7} {'p90 ms':>7}")
    for name in STEPS:
        times = sorted(loop.times[name])
        p90 = times[min(len(times) - 1, int(len(times) * 0.9))]
        queries = statistics.median(loop.queries[name])
        print(f"{name:<14} {queries:>7g} {statistics.median(times):>7.1f} {p90:>7.1f}")
    for name, profiler in profiles.items():
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.top)
        print(f"--- {name}\n{out.getvalue()}")


if __name__ == "__main__":
    main()

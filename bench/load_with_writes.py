"""Load with writes (issue 8): readers hammer the public pages while editors work in the admin.

Serves the demo site with gunicorn against PostgreSQL and Redis (the production shape), then
at the same time:

- `wrk` holds READERS concurrent connections on the public pages (home, articles, tags,
  catalog, search, feeds), counting 5xx answers and any body that contains the draft sentinel;
- EDITORS threads log in to the admin over HTTP and, in a loop, write a draft that must never
  be seen (its title and body carry the sentinel), publish a new article with tags, and edit
  and retag one of their published articles (through the real change form, with its
  edit-conflict token). They work on the back office's own app server (`--backoffice-workers`,
  same database and Redis; 0 puts them on the readers' server), each starting its rounds at
  its own moment.

Afterwards every write is checked over HTTP: each published article shows its last title and
tags, each draft is a 404. Prints the figures as a table and JSON; exits non-zero when any
reader got a 5xx, any reader saw a draft, or any write is missing.

Every request goes to 127.0.0.1 and every loop is bounded in time. A tool, not a test
(tests/performance/test_load_with_writes.py runs a short version in `make test`).
"""

import argparse
import contextlib
import html
import http.cookiejar
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):  # run as a script: import bench.servers as the tests do
    sys.path.insert(0, str(ROOT))
from bench.servers import free_port, gunicorn, varnish  # noqa: E402

PY = sys.executable
WRK_THREADS = 2
SENTINEL = "QZXDRAFTSENTINELQZX"
EDITOR_PASSWORD = "load-test-" + secrets.token_hex(8)


def log(message):
    print(f"[load] {message}", file=sys.stderr, flush=True)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=60, help="seconds of load")
    parser.add_argument("--readers", type=int, default=200, help="concurrent reader connections")
    parser.add_argument("--editors", type=int, default=3, help="concurrent editors in the admin")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/modelpress_load")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn worker")
    parser.add_argument(
        "--backoffice-workers",
        type=int,
        default=1,
        help="gunicorn workers of the back office's own app server (the editors' requests); "
        "0: the editors use the readers' app server",
    )
    parser.add_argument(
        "--backoffice-nice",
        type=int,
        default=0,
        help="nice(1) of the back office's server: on this one machine, what keeps it from "
        "taking the readers' CPU, as its own machine would; 0: the same priority",
    )
    parser.add_argument(
        "--pause", type=float, default=3.0, help="seconds between an editor's writes"
    )
    parser.add_argument(
        "--read-only",
        type=int,
        default=None,
        help="seconds of readers alone first (default: --duration)",
    )
    parser.add_argument("--edge", action="store_true", help="Varnish in front (make serve-edge)")
    parser.add_argument(
        "--floor", type=int, default=20, help="seconds of the readers on /_ping/ alone (0: none)"
    )
    parser.add_argument(
        "--think",
        type=int,
        default=0,
        help="milliseconds each reader pauses between two pages, as people do (wrk's delay(); "
        "latency is timed from the request, the pause not counted); 0: every reader asks again "
        "the moment an answer arrives, the server saturated",
    )
    parser.add_argument("--reuse-db", action="store_true", help="use the database as it is")
    parser.add_argument("--json", help="also write the figures to this file")
    return parser.parse_args(argv)


# -- the site -------------------------------------------------------------------------------


def site_env(args, workdir):
    return {
        **os.environ,
        # The production settings, whoever calls (pytest exports tests.settings to us).
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": args.pg_url,
        "REDIS_URL": args.redis_url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(40),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_HSTS_SECONDS": "0",
        "DJANGO_STATIC_ROOT": str(workdir / "static"),
        "MEDIA_ROOT": str(workdir / "media"),
        "DJANGO_CACHE_DIR": str(workdir / "cache"),
        "SITE_URL": "http://127.0.0.1",
        # INFO: the servers' logs get a line per write (config/lib/warming.py)
        "DJANGO_LOG_LEVEL": os.environ.get("DJANGO_LOG_LEVEL", "ERROR"),
    }


def manage(env, *command):
    subprocess.run(
        [PY, "manage.py", *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )


def prepare(args, env):
    import psycopg
    import redis

    url = urllib.parse.urlsplit(args.pg_url)
    name = url.path.lstrip("/")
    if not args.reuse_db:
        admin_url = urllib.parse.urlunsplit(url._replace(path="/postgres"))
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    redis.Redis.from_url(args.redis_url).flushdb()
    log("migrate, collectstatic, demo content")
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    manage(env, "load_demo", "--no-accounts")
    manage(
        env,
        "shell",
        "-c",
        "from django.contrib.auth.models import Group, User\n"
        "u, _ = User.objects.get_or_create(username='loadeditor')\n"
        "u.is_staff = True\n"
        f"u.set_password({EDITOR_PASSWORD!r})\n"
        "u.save()\n"
        "u.groups.add(Group.objects.get(name='Editors'))\n"
        # The tag page the editors' articles land on exists before the readers start: a
        # reader asks for it from the first second, and a tag that does not exist yet is a
        # 404 rendered for every one of them (unknown addresses are never stored).
        "from django.utils import timezone\n"
        "from articles.models import Article, Author, Category\n"
        "from articles.writes import article_save\n"
        "a = Article(title='Load test: the first', slug='load-test-first', dek='Seed.',\n"
        "    body='The article the load test starts from.', status='published',\n"
        "    published_at=timezone.now(), category=Category.objects.order_by('pk').first(),\n"
        "    author=Author.objects.order_by('pk').first())\n"
        "article_save(a, tags=['Load test'])\n",
    )


# -- readers (wrk) --------------------------------------------------------------------------

LUA = """
local paths = {%(paths)s}
local sentinel = "%(sentinel)s"
local think = %(think)d
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  index = math.random(#paths); total = 0; s5xx = 0; s4xx = 0; leaks = 0
end
function request()
  index = index %% #paths + 1
  return wrk.format("GET", paths[index])
end
-- wrk pauses before a connection's first request too; a browser that opens a connection
-- sends at once, and a server that lends a thread to each new connection until its first
-- bytes arrive (gunicorn's gthread) would be measured waiting for the load generator. The
-- first `opened` pauses of a thread are its connections' first requests: none.
local opened = %(per_thread)d
local asked = 0
if think > 0 then
  local half = math.floor(think / 2)
  function delay()
    asked = asked + 1
    if asked <= opened then return 0 end
    return math.random(think - half, think + half)
  end
end
function response(status, headers, body)
  total = total + 1
  if status >= 500 then s5xx = s5xx + 1 elseif status >= 400 then s4xx = s4xx + 1 end
  if body and string.find(body, sentinel, 1, true) then leaks = leaks + 1 end
end
function done(summary, latency, requests)
  local t, e5, e4, l = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    t = t + thread:get("total"); e5 = e5 + thread:get("s5xx")
    e4 = e4 + thread:get("s4xx"); l = l + thread:get("leaks")
  end
  local errors = summary.errors
  io.write(string.format("LOADRESULT %%d %%d %%d %%d %%d %%.2f %%.2f %%.2f\\n", t, e5, e4, l,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.duration / 1e6))
end
"""


def reader_paths():
    paths = ["/", "/models/", "/tags/", "/feed/", "/models/feed/", "/search/?q=open"]
    paths += ["/search/?q=llama", "/models/compare/?m=llama-3-1-405b&m=gpt-4o&m=mixtral-8x22b"]
    for path in sorted((ROOT / "articles" / "demo").glob("*.md")):
        paths.append(f"/articles/{path.stem}/")  # drafts among them must stay 404
    paths += ["/tags/llama/", "/tags/open-source/", "/tags/load-test/", "/models/gpt-4o/"]
    paths += ["/category/ai/", "/models/llama-3-1-8b/", "/sitemap.xml"]
    return paths


def start_readers(args, port, workdir, paths=None):
    script = workdir / "readers.lua"
    paths = paths or reader_paths()
    think = getattr(args, "think", 0)
    script.write_text(
        LUA
        % {
            "paths": ", ".join(map(json.dumps, paths)),
            "sentinel": SENTINEL,
            "think": think,
            "per_thread": -(-args.readers // WRK_THREADS),
        }
    )
    command = [
        "wrk",
        f"-t{WRK_THREADS}",
        f"-c{args.readers}",
        f"-d{args.duration}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        f"http://127.0.0.1:{port}",
    ]
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True)


def parse_readers(output):
    match = re.search(
        r"LOADRESULT (\d+) (\d+) (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+)", output
    )
    if not match:
        raise SystemExit(f"wrk printed no result:\n{output}")
    total, e5, e4, leaks, socket_errors = (int(g) for g in match.groups()[:5])
    p50, p99, seconds = (float(g) for g in match.groups()[5:])
    return {
        "requests": total,
        "requests_per_second": round(total / seconds, 1) if seconds else 0.0,
        "status_5xx": e5,
        "status_4xx": e4,
        "draft_leaks": leaks,
        "socket_errors": socket_errors,
        "p50_ms": p50,
        "p99_ms": p99,
    }


# -- editors (the admin over HTTP) ----------------------------------------------------------


def article_fields(title, slug, status, tags, extra_body=""):
    """The article admin form's fields for a new or edited article (bench/admin_profile.py
    posts the same)."""
    now = time.gmtime()
    return {
        "title": title,
        "slug": slug,
        "dek": f"{title}: written during the load test.",
        "body": f"## Written under load\n\nA paragraph for {title}.{extra_body}\n",
        "tags": ", ".join(tags),
        "category": "1",
        "author": "1",
        "status": status,
        "published_at_0": time.strftime("%Y-%m-%d", now),
        "published_at_1": time.strftime("%H:%M:%S", now),
        "review_comment": "",
        "seo_title": "",
        "seo_description": "",
        "hero_image": "",
        "_save": "Save",
    }


class Editor:
    def __init__(self, base, number, pause=0.0, public=None):
        self.base = base  # the back office
        self.public = public or base  # where readers read
        self.number = number
        self.pause = pause
        self.deadline = float("inf")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.reader = urllib.request.build_opener()  # anonymous, as any reader
        self.fresh_checks = 0
        self.stale = []  # reads older than a write whose response this editor had seen
        self.published = {}  # slug -> (title, tags)
        self.drafts = []  # slugs
        self.errors = []
        self.change_urls = {}
        self.counts = {"drafted": 0, "published": 0, "edited": 0}

    def get(self, path):
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def post(self, path, fields):
        page = self.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}, doseq=True)
        request = urllib.request.Request(
            self.base + path, data=data.encode(), headers={"Referer": self.base + path}
        )
        with self.opener.open(request, timeout=30) as response:
            return response.geturl(), response.read().decode(), page

    def login(self):
        url, body, _ = self.post(
            "/admin/login/?next=/admin/", {"username": "loadeditor", "password": EDITOR_PASSWORD}
        )
        if "/admin/login/" in url:
            raise RuntimeError("editor could not log in")

    def article_fields(self, title, slug, status, tags, extra_body=""):
        return article_fields(title, slug, status, tags, extra_body)

    def step(self, n):
        stamp = f"e{self.number}n{n}"
        # 1. a draft that readers must never see
        slug = f"load-draft-{stamp}"
        fields = self.article_fields(
            f"Unpublished {SENTINEL} {stamp}", slug, "draft", ["Load test"], f" {SENTINEL}"
        )
        fields["published_at_0"] = fields["published_at_1"] = ""
        self.check(self.post("/admin/articles/article/add/", fields), "/admin/articles/article/")
        self.drafts.append(slug)
        self.counts["drafted"] += 1
        self.wait()
        # 2. a published article with tags
        slug = f"load-story-{stamp}"
        tags = ["Load test", f"Load batch {n % 5}"]
        title = f"Load story {stamp}"
        fields = self.article_fields(title, slug, "published", tags)
        self.check(self.post("/admin/articles/article/add/", fields), "/admin/articles/article/")
        self.published[slug] = (title, tags)
        self.counts["published"] += 1
        self.read_fresh(f"/articles/{slug}/", title, heading=True)  # the response is back: readers
        self.read_fresh("/", title)  # must see it now, on its page and on the home page
        self.wait()
        # 3. edit and retag one of this editor's published articles through the change form
        slug = sorted(self.published)[n % len(self.published)]
        title, tags = self.published[slug]
        change = self.find_change_url(slug, title)
        page = self.get(change)
        version = re.search(r'name="base_version" value="(\d+)"', page).group(1)
        title = f"{title.split(' (edited')[0]} (edited {n})"
        tags = [*tags[:2], f"Edited {n % 3}"]
        fields = self.article_fields(title, slug, "published", tags)
        fields["base_version"] = version
        self.check(self.post(change, fields), "/admin/articles/article/")
        self.published[slug] = (title, tags)
        self.counts["edited"] += 1
        self.read_fresh(f"/articles/{slug}/", title, heading=True)
        self.wait()

    def wait(self):
        """Editors write every few seconds (`--pause`), not as fast as they can."""
        time.sleep(max(0.0, min(self.pause, self.deadline - time.monotonic())))

    def read_fresh(self, path, text, heading=False):
        """An anonymous read after a write's response: a page without `text` is stale; with
        `heading`, without it as the article's own heading (the page's <title> is rendered
        afresh each time, the article itself may come from a kept part)."""
        self.fresh_checks += 1
        text = article_heading(text) if heading else text
        try:
            with self.reader.open(self.public + path, timeout=30) as response:
                page = response.read().decode()
                cache = response.headers.get("X-Edge") or response.headers.get("X-Cache")
        except urllib.error.HTTPError as error:
            page, cache = "", f"HTTP {error.code}"
        if text not in page:
            self.stale.append(f"{path} lacks {text!r} ({cache})")

    def find_change_url(self, slug, title):
        if slug in self.change_urls:
            return self.change_urls[slug]
        listing = self.get("/admin/articles/article/?q=" + urllib.parse.quote(title))
        match = re.search(r'href="(/admin/articles/article/\d+/change/)[^"]*"', listing)
        if not match:
            raise RuntimeError(f"{slug} is not in the admin list")
        self.change_urls[slug] = match.group(1)
        return match.group(1)

    def check(self, result, expected_prefix):
        url, body, _ = result
        path = urllib.parse.urlsplit(url).path
        if not path.startswith(expected_prefix) or "/add/" in path or "/change/" in path:
            errors = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', body, re.S)
            raise RuntimeError(f"save refused at {path}: {errors[:2]}")

    def prepare(self):
        """Signed in, and the forms it uses rendered once, before the clock starts: a cold
        back office's first renders of the admin's templates are not an editor's writes (on a
        slow host they took the whole of a short run, and no write was made)."""
        try:
            self.login()
            self.get("/admin/articles/article/add/")
            self.get("/admin/articles/article/")
        except Exception as error:  # noqa: BLE001 - reported, and fails the run
            self.errors.append(f"editor {self.number} could not start: {error!r}"[:300])

    def run(self, deadline, start_after=0.0):
        self.deadline = deadline
        if self.errors:  # it could not start (`prepare`)
            return
        try:
            # Editors work independently: each starts its rounds at its own moment, not all
            # three saving in the same second (which no newsroom does, and which makes one
            # burst of work per round instead of three smaller ones).
            time.sleep(start_after)
            n = 0
            while time.monotonic() < deadline:
                try:
                    self.step(n)
                except (RuntimeError, urllib.error.URLError, AttributeError) as error:
                    self.errors.append(str(error)[:300])
                n += 1
        except Exception as error:  # noqa: BLE001 - reported, and fails the run
            self.errors.append(f"editor {self.number} stopped: {error!r}"[:300])


def article_heading(title):
    """How an article page shows its title as the article's heading (its kept main part)."""
    return f'class="article__title">{html.escape(title)}</h1>'


def verify(base, editors):
    """Every write is there: published pages show the last title and tags; drafts are 404."""
    missing = []
    for editor in editors:
        for slug, (title, tags) in editor.published.items():
            try:
                with urllib.request.urlopen(f"{base}/articles/{slug}/", timeout=30) as response:
                    page = response.read().decode()
            except urllib.error.HTTPError as error:
                missing.append(f"{slug}: HTTP {error.code}")
                continue
            if article_heading(title) not in page:
                missing.append(f"{slug}: title {title!r} not the article's heading")
            for tag in tags:
                if f">{tag}<" not in page:
                    missing.append(f"{slug}: tag {tag!r} not shown")
        for slug in editor.drafts:
            try:
                urllib.request.urlopen(f"{base}/articles/{slug}/", timeout=30)
                missing.append(f"{slug}: a draft is readable")
            except urllib.error.HTTPError as error:
                if error.code != 404:
                    missing.append(f"{slug}: HTTP {error.code}")
    return missing


# Pages no write of the editors touches (they publish and edit articles only): the catalog
# and two tags the load articles never carry. Their cache hit ratio must stay high.
UNTOUCHED = (
    "/models/",
    "/models/feed/",
    "/models/compare/?m=llama-3-1-405b&m=gpt-4o&m=mixtral-8x22b",
    "/tags/llama/",
    "/tags/open-source/",
)
# Each request the app answers: path and query, status, whether the page cache hit, and the
# milliseconds gunicorn took to answer it.
ACCESS_FORMAT = "%(U)s%(q)s %(s)s %({x-cache}o)s %(M)s"


def _access_args(path):
    return ["--access-logfile", str(path), "--access-logformat", ACCESS_FORMAT]


def hit_ratios(lines, paths=UNTOUCHED):
    """Hits over pages answered, from a log of "<path?query> <status> <hit|miss>" lines
    (gunicorn's, or varnishncsa's): for all pages, the untouched ones, and each of those."""
    wanted = {path.replace("?", ""): path for path in paths} | {path: path for path in paths}
    counted = {"untouched": [0, 0], "all": [0, 0], **{path: [0, 0] for path in paths}}
    for line in lines:
        parts = line.split()
        if len(parts) < 3 or parts[1] != "200" or parts[2].lower() not in ("hit", "miss"):
            continue
        is_hit = parts[2].lower() == "hit"
        names = ["all"]
        if parts[0] in wanted:
            names += ["untouched", wanted[parts[0]]]
        for name in names:
            counted[name][0] += is_hit
            counted[name][1] += 1
    ratios = {name: round(h / n, 4) if n else None for name, (h, n) in counted.items()}
    return {
        **{name: ratios[name] for name in ("untouched", "all")},
        "requests": counted["all"][1],
        "untouched_requests": counted["untouched"][1],
        "by_page": {path: f"{h}/{n}" for path, (h, n) in counted.items() if path in paths},
    }


def app_times(lines):
    """The app's own time per request (gunicorn's log), for reads and for the back office:
    where a slow reader's time went, beside wrk's figures that add the queueing."""

    def summary(times):
        times = sorted(times)
        if not times:
            return None
        pick = lambda q: times[min(len(times) - 1, int(len(times) * q))]  # noqa: E731
        return {"n": len(times), "p50_ms": pick(0.5), "p99_ms": pick(0.99), "max_ms": times[-1]}

    reads, admin, misses, missed = [], [], [], {}
    for line in lines:
        parts = line.split()
        if len(parts) >= 4 and parts[-1].isdigit():
            (admin if parts[0].startswith("/admin/") else reads).append(int(parts[-1]))
            if parts[2].lower() == "miss" and not parts[0].startswith("/admin/"):
                misses.append(int(parts[-1]))
                missed.setdefault(f"{parts[0]} {parts[1]}", []).append(int(parts[-1]))
    most = sorted(missed.items(), key=lambda item: -len(item[1]))[:12]
    return {
        "reads": summary(reads),
        "admin": summary(admin),
        # Pages rendered afresh ("<path> <status>"): what the writes cost the readers' servers.
        "read_misses": summary(misses),
        "most_missed": {
            page: f"{len(times)} renders, p50 {sorted(times)[len(times) // 2]} ms"
            for page, times in most
        },
    }


def _new_lines(path, offset):
    with open(path, errors="replace") as log:
        log.seek(offset)
        return log.read().splitlines()


def _size(path):
    return path.stat().st_size if path.exists() else 0


def warm_up(base):
    for path in reader_paths():
        try:
            urllib.request.urlopen(base + path, timeout=30).read()
        except urllib.error.HTTPError:
            pass  # the drafts among the demo articles are 404s


def read_only(args, port, workdir):
    """Readers alone, the cache warm: the baseline the run with writes is compared with."""
    seconds = args.duration if args.read_only is None else args.read_only
    if seconds <= 0:
        return None
    log(f"{args.readers} readers alone for {seconds} s")
    quiet = argparse.Namespace(**{**vars(args), "duration": seconds})
    output, _ = start_readers(quiet, port, workdir).communicate(timeout=seconds + 120)
    return parse_readers(output)


def floor(args, port, workdir):
    """The same readers on `/_ping/` alone (a view returning a fixed string): what the server,
    the load generator and the machine cost by themselves, the tail included, for scale."""
    if args.floor <= 0:
        return None
    log(f"{args.readers} readers on /_ping/ for {args.floor} s (the floor)")
    quiet = argparse.Namespace(**{**vars(args), "duration": args.floor})
    readers = start_readers(quiet, port, workdir, paths=["/_ping/"])
    output, _ = readers.communicate(timeout=args.floor + 120)
    return parse_readers(output)


def with_writes(args, front, backoffice, workdir):
    editors = [
        Editor(backoffice.base, i, args.pause, public=front.base) for i in range(args.editors)
    ]
    for editor in editors:
        editor.prepare()
    log(f"{args.readers} readers and {args.editors} editors for {args.duration} s")
    readers = start_readers(args, front.port, workdir)
    deadline = time.monotonic() + args.duration
    stagger = args.pause / max(1, args.editors)
    threads = [
        threading.Thread(target=e.run, args=(deadline, i * stagger)) for i, e in enumerate(editors)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=args.duration + 120)
    output, _ = readers.communicate(timeout=args.duration + 120)
    return parse_readers(output), editors


@contextlib.contextmanager
def edge_in_front(args, app, env, edge_port, workdir):
    """Varnish on `edge_port` in front of `app`, the task worker that sends its purges, and
    varnishncsa logging each answer's hit or miss. Without --edge: the app itself."""
    if not args.edge:
        yield app, None
        return
    worker = subprocess.Popen(
        [PY, "manage.py", "db_worker", "--queue-name", "*", "--no-reload", "--interval", "0.1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with varnish(app.port, port=edge_port) as edge:
            ncsa_log = workdir / "varnishncsa.log"
            ncsa = subprocess.Popen(
                ["varnishncsa", "-n", str(edge.log_path.parent / "n"), "-w", str(ncsa_log)]
                + ["-F", "%U%q %s %{Varnish:hitmiss}x"]
            )
            try:
                yield edge, ncsa_log
            finally:
                ncsa.terminate()
                ncsa.wait(timeout=10)
    finally:
        worker.terminate()
        worker.wait(timeout=10)


@contextlib.contextmanager
def back_office(args, env, app, access):
    """The back office's own app server (`--backoffice-workers`), as large sites run their
    CMS apart from the servers readers reach: same database, same Redis, so a save there
    invalidates the readers' pages as on one server (issue 18's two-server guarantee). It
    logs to the same access log. None when the editors share the readers' server."""
    if not args.backoffice_workers:
        yield None
        return
    extra = ["--backlog", "2048", *_access_args(access)]
    niceness = args.backoffice_nice
    with gunicorn(
        env, workers=args.backoffice_workers, threads=4, extra=extra, niceness=niceness
    ) as server:
        yield server


def main(argv=None):
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="modelpress-load-") as tmp:
        workdir = Path(tmp)
        env = site_env(args, workdir)
        # The setup's writes purge nothing: no edge runs yet, and nothing is cached in one.
        prepare(args, env)
        edge_port = free_port() if args.edge else None
        if args.edge:
            env["EDGE_PURGE_URLS"] = f"http://127.0.0.1:{edge_port}/"
        access = workdir / "access.log"
        extra = ["--backlog", "2048", *_access_args(access)]
        with (
            gunicorn(env, workers=args.workers, threads=args.threads, extra=extra) as app,
            back_office(args, env, app, access) as backoffice,
            edge_in_front(args, app, env, edge_port, workdir) as (front, edge_log),
        ):
            warm_up(front.base)
            baseline = read_only(args, front.port, workdir)
            if baseline:
                baseline["floor"] = floor(args, front.port, workdir)
            marks = (_size(access), _size(edge_log) if edge_log else 0)
            # Editors reach the back office directly; readers, the front (Varnish or the app).
            reading, editors = with_writes(args, front, backoffice or front, workdir)
            app_lines = _new_lines(access, marks[0])
            app_hits = hit_ratios(app_lines) | {"app_times": app_times(app_lines)}
            edge_hits = hit_ratios(_new_lines(edge_log, marks[1])) if edge_log else None
            missing = verify(front.base, editors)
            if reading["status_5xx"] or any(editor.errors for editor in editors):
                for server in filter(None, (app, backoffice)):  # their logs go with them
                    log(f"end of the log of gunicorn on port {server.port}:\n{server.log_tail()}")
    return report(args, baseline, reading, editors, missing, app_hits, edge_hits)


def report(args, baseline, reading, editors, missing, app_hits, edge_hits):
    writes = {key: sum(e.counts[key] for e in editors) for key in editors[0].counts}
    errors = [error for editor in editors for error in editor.errors]
    stale = [read for editor in editors for read in editor.stale]
    figures = {
        "duration_s": args.duration,
        "readers": args.readers,
        "editors": args.editors,
        "pause_s": args.pause,
        "reader_think_ms": args.think,
        "front": "varnish" if args.edge else "gunicorn",
        "gunicorn": f"{args.workers} workers x {args.threads} threads (gthread)",
        "back_office": f"{args.backoffice_workers} workers x 4 threads, its own gunicorn, "
        f"nice {args.backoffice_nice}"
        if args.backoffice_workers
        else "the readers' gunicorn",
        **reading,
        "read_only": baseline,
        "p50_vs_read_only": round(reading["p50_ms"] / baseline["p50_ms"], 2)
        if baseline and baseline["p50_ms"]
        else None,
        "writes": writes,
        "fresh_checks": sum(editor.fresh_checks for editor in editors),
        "stale_reads": len(stale),
        "stale_examples": stale[:10],
        "app_cache": app_hits,
        "edge_cache": edge_hits,
        "editor_errors": errors[:20],
        "missing_after_run": missing[:20],
    }
    ok = (
        reading["status_5xx"] == 0
        and reading["draft_leaks"] == 0
        and not missing
        and not errors
        and not stale
        and writes["published"] > 0
    )
    figures["ok"] = ok
    pace = f"each pausing {args.think} ms ±50% between pages" if args.think else "no pause"
    print(f"{'front':<22}{figures['front']}; {args.readers} readers ({pace}), {args.duration} s")
    for key in ["requests", "requests_per_second", "p50_ms", "p99_ms", "status_5xx"]:
        print(f"{key:<22}{reading[key]}")
    for key in ["status_4xx", "socket_errors", "draft_leaks"]:
        print(f"{key:<22}{reading[key]}")
    if baseline:
        print(f"{'read-only p50/p99':<22}{baseline['p50_ms']} / {baseline['p99_ms']} ms")
        print(f"{'p50 vs read-only':<22}{figures['p50_vs_read_only']}x")
        if baseline.get("floor"):
            ping = baseline["floor"]
            print(f"{'floor /_ping/ p50/p99':<22}{ping['p50_ms']} / {ping['p99_ms']} ms")
    print(f"{'writes':<22}{writes}")
    print(f"{'stale reads':<22}{len(stale)} of {figures['fresh_checks']} checked")
    print(f"{'app cache hits':<22}{app_hits}")
    if edge_hits:
        print(f"{'edge cache hits':<22}{edge_hits}")
    print(f"{'editor errors':<22}{len(errors)}")
    print(f"{'missing afterwards':<22}{len(missing)}")
    print(json.dumps(figures, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

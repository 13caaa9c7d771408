"""ModelPress benchmark: a generated site served by gunicorn, driven by wrk (issue 7).

For each database (SQLite, PostgreSQL): migrate, generate_site, collectstatic; count the SQL
queries and time each page in-process (bench/probe.py); then serve with gunicorn (2 workers,
DEBUG off) and drive each page with wrk, first with the page cache off, then on (Redis).
Two references are served by the same gunicorn: a hashed static file through whitenoise and
/_ping/, a view returning a fixed string (the framework's floor). Worker memory is read from
/proc after at least 20,000 requests. Prints a table and JSON, writes bench/results/, and
refreshes the results section of bench/README.md.

Every request goes to 127.0.0.1, and every wait is bounded. A tool, not a test.
"""

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):  # run as a script (`python bench/run.py`): import as the tests do
    sys.path.insert(0, str(ROOT))
from bench.servers import gunicorn  # noqa: E402

PY = sys.executable
RESULTS = ROOT / "bench" / "results"
README = ROOT / "bench" / "README.md"
REDIS_URL = "redis://127.0.0.1:6379/6"  # a database number of its own, flushed per run
RSS_REQUESTS = 20_000


def log(message):
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--models", type=int, default=10_000)
    parser.add_argument("--tags", type=int, default=5_000)
    parser.add_argument("--authors", type=int, default=50)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/modelpress_bench")
    parser.add_argument("--duration", default="10s", help="wrk -d, per page")
    parser.add_argument("--threads", type=int, default=2, help="wrk -t")
    parser.add_argument("--connections", type=int, default=16, help="wrk -c")
    parser.add_argument("--reuse", action="store_true", help="keep a database already generated")
    parser.add_argument("--no-readme", action="store_true", help="leave bench/README.md alone")
    parser.add_argument("--generate-only", action="store_true", help="prepare the databases, stop")
    return parser.parse_args()


# -- the site -------------------------------------------------------------------------------


def base_env(data_dir):
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-only-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_STATIC_ROOT": str(data_dir / "static"),
        "DJANGO_CACHE_DIR": str(data_dir / "cache"),
        "DJANGO_LOG_LEVEL": "ERROR",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.pop("REDIS_URL", None)
    return env


def manage(env, *args, **kwargs):
    return subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, check=True, timeout=3600, **kwargs
    )


def prepare(database, args):
    """(env, seconds spent generating) for a migrated, generated database."""
    suffix = "" if args.articles == 100_000 else f"_{args.articles}"
    data_dir = Path(tempfile.gettempdir()) / f"modelpress-bench{suffix}-{database}"
    data_dir.mkdir(exist_ok=True)
    env = base_env(data_dir)
    if database == "sqlite":
        path = data_dir / "db.sqlite3"
        env["DATABASE_URL"] = f"sqlite:///{path}"
        fresh = lambda: [p.unlink() for p in data_dir.glob("db.sqlite3*")]  # noqa: E731
    else:
        url = args.pg_url + suffix
        env["DATABASE_URL"] = url
        fresh = lambda: recreate_pg(url)  # noqa: E731
    generate = ["generate_site", "--articles", str(args.articles), "--models", str(args.models)]
    generate += ["--tags", str(args.tags), "--authors", str(args.authors)]
    stamp = data_dir / "generated.json"
    wanted = json.dumps(generate)
    seconds = None
    if args.reuse and stamp.exists() and json.loads(stamp.read_text())["command"] == wanted:
        log(f"{database}: reusing the generated database in {data_dir}")
        seconds = json.loads(stamp.read_text())["seconds"]
        manage(env, "migrate", "--noinput", "-v0")  # indexes added since then
        analyze(env["DATABASE_URL"])  # statistics (and PostgreSQL's visibility map) for them
    else:
        fresh()
        manage(env, "migrate", "--noinput", "-v0")
        log(f"{database}: {' '.join(generate)}")
        start = time.monotonic()
        manage(env, *generate)
        seconds = round(time.monotonic() - start)
        stamp.write_text(json.dumps({"command": wanted, "seconds": seconds}))
    manage(env, "collectstatic", "--noinput", "-v0")
    return env, seconds


def analyze(url):
    if url.startswith("sqlite:///"):
        import sqlite3

        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            conn.execute("ANALYZE")
        return
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def recreate_pg(url):
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def probe(env, *args):
    env = {**env, "DJANGO_PAGE_CACHE": "0"}
    out = subprocess.run(
        [PY, "bench/probe.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=1800,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def static_url(env):
    manifest = json.loads((Path(env["DJANGO_STATIC_ROOT"]) / "staticfiles.json").read_text())
    return "/static/" + manifest["paths"]["css/site.css"]


# -- serving and load -----------------------------------------------------------------------


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text):
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return round(float(value) * UNITS[unit], 2)


def wrk(url, args, script=None, duration=None):
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}"]
    command += [f"-d{duration or args.duration}", "--latency", "--timeout", "10s"]
    if script:
        command += ["-s", script]
    out = subprocess.run(
        [*command, url], capture_output=True, text=True, timeout=600, check=True
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)),
        "p99_ms": _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "errors": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def mixed_script(paths, directory):
    """A wrk Lua script that cycles through `paths`."""
    script = Path(directory) / "mixed.lua"
    listed = ", ".join(json.dumps(p) for p in paths)
    script.write_text(
        f"local paths = {{{listed}}}\nlocal i = 0\n"
        "request = function()\n  i = i % #paths + 1\n"
        '  return wrk.format("GET", paths[i])\nend\n'
    )
    return str(script)


def load_pass(env, urls, args, label):
    """wrk against every URL on one gunicorn, then enough mixed load to read worker RSS."""
    with gunicorn(env, workers=2, ready_within=60) as server:
        results, served = {}, 0
        for name, path in urls.items():
            try:
                urllib.request.urlopen(server.base + path, timeout=60).read()  # warm up / fill
            except OSError as error:  # a page too slow to answer is a result, not a crash
                log(f"{label:<9} {name:<22} warm-up failed: {error}")
            results[name] = wrk(server.base + path, args)
            served += results[name]["requests"]
            log(f"{label:<9} {name:<22} {results[name]['rps']:>8.1f} req/s")
        script = mixed_script(list(urls.values()), env["DJANGO_CACHE_DIR"])
        deadline = time.monotonic() + 180  # bounded: slow pages may not reach 20,000
        while served < RSS_REQUESTS and time.monotonic() < deadline:
            served += wrk(server.base + "/", args, script=script, duration="15s")["requests"]
        memory = {"requests": served, "worker_rss_mb": server.worker_rss_mb()}
        log(f"{label:<9} after {served} requests, worker RSS {memory['worker_rss_mb']} MB")
        return results, memory


def flush_redis():
    import redis

    redis.Redis.from_url(REDIS_URL, socket_timeout=5).flushdb()


def bench_database(database, args):
    env, generate_seconds = prepare(database, args)
    urls = probe(env, "urls")
    log(f"{database}: counting queries and timing pages in-process")
    measured = probe(env, "measure", *urls.values())
    more = probe(env, "more-urls")
    measured_more = probe(env, "measure", *more.values())
    references = {"static file (whitenoise)": static_url(env), "minimal view (floor)": "/_ping/"}
    everything = {**urls, **references}
    uncached, uncached_memory = load_pass(
        {**env, "DJANGO_PAGE_CACHE": "0"}, everything, args, "uncached"
    )
    flush_redis()
    cached, cached_memory = load_pass(
        {**env, "DJANGO_PAGE_CACHE": "1", "REDIS_URL": REDIS_URL}, everything, args, "cached"
    )
    pages = {}
    for name, path in everything.items():
        pages[name] = {
            "url": path,
            **measured.get(path, {"queries": 0, "server_p50_ms": None, "status": 200}),
            "uncached": uncached[name],
            "cached": cached[name],
        }
    return {
        "generate_seconds": generate_seconds,
        "pages": pages,
        "other_pages": {name: {"url": path, **measured_more[path]} for name, path in more.items()},
        "memory": {"uncached": uncached_memory, "cached": cached_memory},
    }


# -- reporting ------------------------------------------------------------------------------


def machine():
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"model name\s*:\s*(.*)", cpuinfo)
    memory = re.search(r"MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text())
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model.group(1).strip() if model else platform.processor(),
        "memory_gb": round(int(memory.group(1)) / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "load_average_at_start": os.getloadavg(),
        "wrk": wrk_version.split("\n")[0].strip(),
    }


def table(result):
    lines = []
    for database, data in result["databases"].items():
        lines.append(
            f"\n{database}: {result['articles']:,} articles, {result['models']:,} models "
            f"(generated in {data['generate_seconds']} s); wrk -t{result['wrk']['threads']} "
            f"-c{result['wrk']['connections']} -d{result['wrk']['duration']}\n"
        )
        lines.append(
            "| page | queries | in-process p50 ms | after a write ms | uncached req/s | p50 ms "
            "| p99 ms | cached req/s | p50 ms | p99 ms |"
        )
        lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for name, page in data["pages"].items():
            u, c = page["uncached"], page["cached"]
            flag = " (errors!)" if u["errors"] or c["errors"] else ""
            lines.append(
                f"| {name}{flag} | {page['queries']} | {page['server_p50_ms'] or '–'} "
                f"| {page.get('after_write_p50_ms') or '–'} ({page.get('after_write_queries', '–')} q) "
                f"| {u['rps']:.0f} | {u['p50_ms']} | {u['p99_ms']} "
                f"| {c['rps']:.0f} | {c['p50_ms']} | {c['p99_ms']} |"
            )
        if data.get("other_pages"):
            lines.append("\nOther public pages (in-process only):\n")
            lines.append("| page | queries | in-process p50 ms | after a write ms | KB |")
            lines.append("|---|---:|---:|---:|---:|")
            for name, page in data["other_pages"].items():
                flag = "" if page["status"] == 200 else f" ({page['status']}!)"
                lines.append(
                    f"| {name}{flag} | {page['queries']} | {page['server_p50_ms']} "
                    f"| {page['after_write_p50_ms']} | {page['bytes'] / 1024:.0f} |"
                )
        floor = data["pages"]["minimal view (floor)"]["cached"]["rps"]
        article = data["pages"]["article"]["cached"]["rps"]
        lines.append(
            f"\nCached article: {article:.0f} req/s = {100 * article / floor:.0f}% of the "
            f"minimal view's {floor:.0f} req/s."
        )
        for label, memory in data["memory"].items():
            lines.append(
                f"Worker RSS after {memory['requests']:,} requests ({label}): "
                f"{', '.join(f'{m:.0f}' for m in memory['worker_rss_mb'])} MB."
            )
    return "\n".join(lines)


def growth_table():
    """Uncached in-process p50 at each size measured, side by side (time must not grow)."""
    runs = sorted(
        (json.loads(p.read_text()) for p in RESULTS.glob("articles-*.json")),
        key=lambda r: r["articles"],
    )
    if len(runs) < 2:
        return ""
    lines = ["\nIn-process p50 (ms) and queries, uncached, by number of articles:\n"]
    header = "| database | page | " + " | ".join(f"{r['articles']:,}" for r in runs) + " |"
    lines += [header, "|---|---|" + "---:|" * len(runs)]
    for database in runs[-1]["databases"]:
        latest = runs[-1]["databases"][database]
        for name, page in [*latest["pages"].items(), *latest.get("other_pages", {}).items()]:
            if page["server_p50_ms"] is None:
                continue
            cells = []
            for run in runs:
                measured = run["databases"].get(database, {})
                other = {**measured.get("pages", {}), **measured.get("other_pages", {})}.get(name)
                cells.append(f"{other['server_p50_ms']} ({other['queries']} q)" if other else "–")
            lines.append(f"| {database} | {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def update_readme(result, text):
    start, end = "<!-- results:start -->", "<!-- results:end -->"
    readme = README.read_text()
    m = result["machine"]
    section = (
        f"{start}\nLast run: {result['finished']} on {m['cpus']} × {m['cpu_model']}, "
        f"{m['memory_gb']} GB RAM, Linux {m['kernel']}, Python {m['python']}, {m['wrk']}; "
        f"load average at start {', '.join(f'{x:.1f}' for x in m['load_average_at_start'])}.\n"
        f"{text}\n{growth_table()}\n{end}"
    )
    README.write_text(re.sub(f"{start}.*{end}", lambda _: section, readme, flags=re.S))


def main():
    args = parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (Debian: apt-get install wrk).")
    result = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "articles": args.articles,
        "models": args.models,
        "tags": args.tags,
        "authors": args.authors,
        "wrk": {
            "threads": args.threads,
            "connections": args.connections,
            "duration": args.duration,
        },
        "gunicorn_workers": 2,
        "databases": {},
    }
    for database in args.databases.split(","):
        if args.generate_only:
            prepare(database, args)
            continue
        result["databases"][database] = bench_database(database, args)
    if args.generate_only:
        return
    result["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    RESULTS.mkdir(exist_ok=True)
    for path in (RESULTS / "latest.json", RESULTS / f"articles-{args.articles}.json"):
        path.write_text(json.dumps(result, indent=2) + "\n")
    text = table(result)
    print(text)
    print(json.dumps(result, indent=2))
    if not args.no_readme:
        update_readme(result, text)


if __name__ == "__main__":
    main()

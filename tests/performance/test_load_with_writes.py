"""A short run of bench/load_with_writes.py: readers on the public pages while editors publish,
edit and tag through the admin. Zero 5xx, no draft ever served, no stale read after a write's
response, every write present, the pages no write touched still served from the cache.

The full run (200 readers for 60 s) is `python bench/load_with_writes.py`; this one holds 40
readers for 8 s so that `make test` stays quick. It is a PostgreSQL + Redis scenario (the
production shape), so it runs in the PostgreSQL pass and is skipped on SQLite.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_readers_never_see_a_5xx_or_a_draft_while_editors_write(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the load scenario runs against PostgreSQL (the PostgreSQL pass)")
    if not shutil.which("wrk"):
        if os.environ.get("CI") == "true":
            pytest.fail("wrk is not installed (.ci/run installs it)")
        pytest.skip("wrk is not installed (apt-get install wrk)")
    settings_db = connection.settings_dict
    host = settings_db.get("HOST") or "127.0.0.1"
    port = settings_db.get("PORT") or 5432
    user = settings_db.get("USER") or "postgres"
    pg_url = f"postgres://{user}@{host}:{port}/modelpress_loadtest"
    result = subprocess.run(
        [
            sys.executable,
            "bench/load_with_writes.py",
            "--duration=8",
            "--readers=40",
            "--editors=2",
            "--read-only=2",
            "--floor=1",
            "--pause=0.3",
            "--think=20",  # readers pausing between pages (wrk's delay(), in the script)
            f"--pg-url={pg_url}",
            "--redis-url=redis://127.0.0.1:6379/8",
            f"--json={tmp_path / 'load.json'}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    output = result.stdout[-3000:] + result.stderr[-3000:]
    assert result.returncode == 0, output
    figures = json.loads((tmp_path / "load.json").read_text())
    assert figures["ok"] is True, output
    # The readers ran and were answered, without a 5xx or a draft.
    assert figures["requests"] > 0 and figures["socket_errors"] == 0, figures
    assert figures["reader_think_ms"] == 20, figures
    assert figures["status_5xx"] == 0 and figures["draft_leaks"] == 0, figures
    # The editors wrote (each kind at least once), and every write was there afterwards.
    assert figures["editor_errors"] == [] and figures["missing_after_run"] == [], figures
    assert min(figures["writes"].values()) > 0, figures
    # Issue 18: after each write's response, an anonymous read of the article and the home
    # page shows it (no stale read), and the pages no write touched stay cached.
    assert figures["fresh_checks"] > 0 and figures["stale_reads"] == 0, figures
    assert figures["app_cache"]["untouched_requests"] > 0, figures
    assert figures["app_cache"]["untouched"] >= 0.9, figures
    # For scale, the same readers on the framework's floor (/_ping/), in the same run.
    assert figures["read_only"]["floor"]["requests"] > 0, figures

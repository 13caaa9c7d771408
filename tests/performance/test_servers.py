"""bench/servers.py, the one way bench and tests start gunicorn: ready when it says so, a
failed start is an error carrying the server's log, and nothing is left running."""

import os
import time
import urllib.request

import pytest

from bench.servers import ServerError, gunicorn


def _env(tmp_path, **overrides):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_DEBUG": "1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_CACHE_DIR": str(tmp_path / "cache"),
        "DJANGO_LOG_LEVEL": "ERROR",
        **overrides,
    }


def test_ready_on_entry_and_stopped_on_exit(tmp_path):
    with gunicorn(_env(tmp_path)) as server:
        with urllib.request.urlopen(server.base + "/_ping/", timeout=5) as response:
            assert response.read() == b"ok\n"
        log = server.log_path
    assert server.proc.poll() is not None  # gunicorn and its workers are gone
    assert not log.exists()


def test_a_server_that_cannot_start_fails_at_once_with_its_log(tmp_path, capsys):
    started = time.monotonic()
    env = _env(tmp_path, DJANGO_SETTINGS_MODULE="config.no_such_settings")
    with pytest.raises(ServerError, match="no_such_settings"):
        with gunicorn(env, ready_within=60):
            pytest.fail("the block must not run")
    assert time.monotonic() - started < 30  # it noticed the exit, not the deadline
    assert "end of its log" in capsys.readouterr().err

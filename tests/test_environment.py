"""The shell around the code: the local `.env` and a test suite independent of the caller."""

import json
import os
import subprocess
import sys
from pathlib import Path

from config import local_env

ROOT = Path(__file__).resolve().parents[1]
SHOWN = [
    "DEBUG",
    "SECRET_KEY",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "ADMIN_PATH",
    "SITE_URL",
    "PAGE_CACHE",
    "TASKS_MODE",
    "ALLOWED_HOSTS",
    "AXES_FAILURE_LIMIT",
]
HOSTILE = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "from-the-callers-shell",
    "DJANGO_SECURE_SSL_REDIRECT": "1",
    "DJANGO_SECURE_COOKIES": "0",
    "DJANGO_HSTS_SECONDS": "7",
    "DJANGO_ADMIN_PATH": "elsewhere/",
    "DJANGO_ALLOWED_HOSTS": "evil.example",
    "DJANGO_PAGE_CACHE": "0",
    "DJANGO_TASKS": "database",
    "DJANGO_LOGIN_FAILURE_LIMIT": "1",
    "SITE_URL": "https://evil.example",
    "EMAIL_URL": "smtp://evil.example",
}


def python(code, env, cwd=ROOT):
    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def settings_seen(env):
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {SHOWN!r}}} | "
        "{'DB': str(s.DATABASES['default']['NAME'])}, default=str))"
    )
    result = python(code, {**env, "DJANGO_SETTINGS_MODULE": "tests.settings"})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def clean_environ():
    caller = ("DJANGO_", "AWS_", "EMAIL_URL", "SITE_URL", "MEDIA_ROOT", "MODELPRESS_")
    return {k: v for k, v in os.environ.items() if not k.startswith(caller)}


def test_test_settings_ignore_the_callers_environment_and_env_file(tmp_path):
    """`make serve`'s exports (or any others) in the shell change nothing in the suite."""
    env_file = tmp_path / ".env"
    env_file.write_text(
        "DJANGO_DEBUG=1\nDJANGO_SECURE_SSL_REDIRECT=0\nDATABASE_URL=sqlite:///dotenv\n"
    )
    database = f"sqlite:///{tmp_path / 'chosen.sqlite3'}"
    clean = {**clean_environ(), "DATABASE_URL": database}
    hostile = {**clean, **HOSTILE, "MODELPRESS_ENV_FILE": str(env_file)}
    assert settings_seen(hostile) == settings_seen(clean)
    assert settings_seen(hostile)["DB"] == str(tmp_path / "chosen.sqlite3")  # still chosen


def manage(args, env, cwd):
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=cwd,
        env={**clean_environ(), "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


SHOW_DEBUG = ["shell", "-c", "from django.conf import settings; print(settings.DEBUG)"]


def test_manage_reads_the_env_file_and_the_real_environment_wins(tmp_path):
    env_file = tmp_path / ".env"
    assert local_env.write_default(env_file)
    assert not local_env.write_default(env_file)  # an existing file is the owner's
    assert "DJANGO_DEBUG=1" in env_file.read_text() and env_file.stat().st_mode & 0o077 == 0
    database = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    env = {"MODELPRESS_ENV_FILE": str(env_file), "DATABASE_URL": database}
    result = manage(SHOW_DEBUG, env, tmp_path)
    assert result.returncode == 0 and result.stdout.split()[-1] == "True", result.stderr
    # The real environment wins: DEBUG off, and the file's key is not taken for production.
    refused = manage(SHOW_DEBUG, {**env, "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": ""}, tmp_path)
    assert refused.returncode != 0 and "DJANGO_SECRET_KEY is not set" in refused.stderr


def test_production_without_an_env_file_still_refuses_to_start(tmp_path):
    env = {"MODELPRESS_ENV_FILE": str(tmp_path / "absent"), "DJANGO_ALLOWED_HOSTS": "x.example"}
    result = manage(["check"], env, tmp_path)
    assert result.returncode != 0 and "DJANGO_SECRET_KEY is not set" in result.stderr

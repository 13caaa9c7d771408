"""Secure by default: deploy checks, security headers, cookies, admin path, login lockout."""

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import clear_url_caches, reverse

from tests.users import PASSWORD, make_editor

ROOT = Path(__file__).resolve().parents[2]
PUBLIC_PAGES = ["/", "/models/", "/tags/", "/search/?q=llama", "/no-such-page/"]


def manage(*args, **env):
    """Run manage.py with production-like settings (not the test settings)."""
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DJANGO_") and key != "DATABASE_URL"
    }
    environ.update(DJANGO_SETTINGS_MODULE="config.settings", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_is_clean_with_production_settings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY="x7Rk2" * 12,
        DJANGO_ALLOWED_HOSTS="modelpress.example",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", DJANGO_ALLOWED_HOSTS="modelpress.example")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def csp_directives(response):
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


@pytest.mark.django_db
@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_every_public_response_carries_the_security_headers(client, url):
    response = client.get(url, secure=True)
    policy = response["Content-Security-Policy"]
    directives = csp_directives(response)
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["script-src"] == ["'self'"]  # no nonce: public pages are cacheable
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert b"nonce=" not in response.content


@pytest.mark.django_db
def test_admin_pages_get_a_nonce_for_their_scripts(client):
    response = client.get(reverse("admin:login"))
    script_src = csp_directives(response)["script-src"]
    nonce = next(value for value in script_src if value.startswith("'nonce-"))
    assert f'nonce="{nonce[7:-1]}"'.encode() in response.content
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert (
        client.get(reverse("admin:login"))["Content-Security-Policy"]
        != response["Content-Security-Policy"]
    )  # a fresh nonce on every request


@pytest.mark.django_db
def test_static_files_carry_the_headers_too(client):
    response = client.get("/static/css/site.css")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in response


def test_production_settings_are_https_only(settings):
    # tests/settings.py turns only the redirect off (the test client speaks HTTP).
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE == settings.CSRF_COOKIE_SAMESITE == "Lax"
    assert settings.SECURE_HSTS_SECONDS >= 31536000


@pytest.mark.django_db
def test_session_cookie_is_secure_httponly_and_samesite(client):
    make_editor()
    response = client.post(
        reverse("admin:login"), {"username": "editor", "password": PASSWORD}, secure=True
    )
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"


@pytest.fixture
def admin_at_backoffice(settings):
    settings.ADMIN_PATH = "backoffice/"
    import config.urls

    importlib.reload(config.urls)
    clear_url_caches()
    yield
    settings.ADMIN_PATH = "admin/"
    importlib.reload(config.urls)
    clear_url_caches()


@pytest.mark.django_db
def test_admin_path_is_configurable(client, admin_at_backoffice):
    assert reverse("admin:index") == "/backoffice/"
    assert client.get("/backoffice/login/").status_code == 200
    assert client.get("/admin/login/").status_code == 404


# --- login lockout (django-axes) -----------------------------------------------------------


def login(client, username, password="wrong", ip="203.0.113.7"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
    )


@pytest.mark.django_db
def test_five_failures_lock_the_user_name_even_from_other_addresses(client):
    make_editor()
    for attempt in range(5):
        login(client, "editor", ip=f"198.51.100.{attempt}")
    response = login(client, "editor", PASSWORD, ip="192.0.2.99")
    assert response.status_code == 429
    assert b"Too many failed logins" in response.content


@pytest.mark.django_db
def test_five_failures_lock_the_address_for_every_user_name(client):
    make_editor()
    for attempt in range(5):
        login(client, f"guess{attempt}")
    assert login(client, "editor", PASSWORD).status_code == 429
    assert login(client, "editor", PASSWORD, ip="192.0.2.99").status_code == 302


@pytest.mark.django_db
def test_a_successful_login_resets_the_count(client):
    make_editor()
    for _ in range(4):
        login(client, "editor")
    assert login(client, "editor", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        login(client, "editor")
    assert login(client, "editor", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_behind_a_proxy_the_lockout_counts_the_readers_address(client, settings):
    settings.PROXY_COUNT = 1
    make_editor()
    for attempt in range(5):
        client.post(
            reverse("admin:login"),
            {"username": f"guess{attempt}", "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",  # the proxy
            HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7",  # spoofed entry, then the reader
        )
    other_reader = client.post(
        reverse("admin:login"),
        {"username": "editor", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.3",
    )
    assert other_reader.status_code == 302
    locked = client.post(
        reverse("admin:login"),
        {"username": "editor", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.7",
    )
    assert locked.status_code == 429


@pytest.mark.django_db
def test_a_nul_byte_in_any_repeated_parameter_is_a_400(client):
    assert client.get("/models/compare/?m=a%00&m=b").status_code == 400
    assert client.get("/models/?tag=x&tag=%00").status_code == 400


@pytest.mark.parametrize(
    "env, origin",
    [
        ({"AWS_S3_CUSTOM_DOMAIN": "media.modelpress.example"}, "https://media.modelpress.example"),
        ({"AWS_S3_ENDPOINT_URL": "https://minio.example:9000"}, "https://minio.example:9000"),
        ({"AWS_S3_REGION_NAME": "eu-west-3"}, "https://mp-media.s3.eu-west-3.amazonaws.com"),
    ],
)
def test_images_on_s3_are_allowed_by_the_policy(env, origin):
    code = "from django.conf import settings; print(' '.join(settings.SECURE_CSP['img-src']))"
    environ = {
        key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "AWS_"))
    }
    environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="1",
        DJANGO_MEDIA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="mp-media",
        **env,
    )
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    sources = result.stdout.split()
    assert sources[0] == "'self'" and origin in sources, result.stderr


def test_migration_checks_run_without_a_secret_key_but_nothing_else_does():
    result = manage("makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout
    served = manage("check")
    assert served.returncode != 0 and "DJANGO_SECRET_KEY is not set" in served.stderr

"""Two app servers, one PostgreSQL, one Redis: what an editor publishes through one, a reader
gets from the other at once (issue 7: app servers keep no state).

Both gunicorn processes run the production settings (DEBUG off, Redis cache and generations,
database sessions) against the test database, which is why the test needs committed rows
(`transactional_db`). An editor logs in through the admin login form on server A and runs the
"Publish now" action; server B, which had the home page cached without the article, serves
the new page on the next request.
"""

import http.cookiejar
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.utils import timezone

from articles.models import Article, Category
from bench.servers import gunicorn
from tests.factories import ArticleFactory, CategoryFactory
from tests.users import PASSWORD, make_user

ROOT = Path(__file__).resolve().parents[2]
# A database number of its own, flushed first; one per pytest-xdist worker (gw0: 5, gw1: 6),
# since two tests sharing one would invalidate each other's keys (article:1 in both).
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
REDIS_URL = f"redis://127.0.0.1:6379/{5 + _WORKER % 3}"
pytestmark = pytest.mark.django_db(transaction=True)


def _redis_or_skip():
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_timeout=2)
        client.flushdb()
    except Exception as error:  # no server, refused, timeout
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {error}")


def _database_url():
    db = settings.DATABASES["default"]
    user = urllib.parse.quote(db["USER"] or "")
    password = f":{urllib.parse.quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    host = db["HOST"] or "127.0.0.1"
    return f"postgres://{user}{password}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def server_env(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("two app servers share one PostgreSQL database: run with DATABASE_URL")
    _redis_or_skip()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": REDIS_URL,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "two-servers-test-only-" + "x" * 30,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_PAGE_CACHE": "1",
        "DJANGO_PAGE_CACHE_HIT_SAMPLE": "1",  # a page read again is rendered ahead of a write
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "DJANGO_CACHE_DIR": str(tmp_path / "cache"),
        "DJANGO_LOG_LEVEL": "ERROR",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=60,
    )
    return env


class Client:
    """A browser-less visitor of one server, with a cookie jar of its own."""

    def __init__(self, server):
        self.base = server.base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path, headers=None):
        """(status, headers, text)."""
        request = urllib.request.Request(self.base + path, headers=headers or {})
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()

    def post(self, path, fields):
        data = urllib.parse.urlencode(fields, doseq=True).encode()
        with self.opener.open(self.base + path, data=data, timeout=10) as response:
            return response.status, response.geturl(), response.read().decode()

    def csrf_token(self, path):
        status, _, page = self.get(path)
        assert status == 200, path
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


@pytest.fixture
def servers(server_env):
    """Two gunicorns (bench/servers.py), each with its own client."""
    with gunicorn(server_env, ready_within=20) as one, gunicorn(server_env, ready_within=20) as two:
        yield Client(one), Client(two)


def log_in(server):
    """A superuser, logged in on `server` through the admin login form; the admin's path."""
    chief = make_user("chief", superuser=True)
    # The servers run the production hashers; the test settings' fast MD5 is not among them.
    chief.password = PBKDF2PasswordHasher().encode(PASSWORD, "twoserverssalt")
    chief.save(update_fields=["password"])
    admin = "/" + settings.ADMIN_PATH
    token = server.csrf_token(f"{admin}login/")
    status, landed, _ = server.post(
        f"{admin}login/",
        {"username": "chief", "password": PASSWORD, "next": admin, "csrfmiddlewaretoken": token},
    )
    assert status == 200 and urllib.parse.urlparse(landed).path == admin, "login failed"
    return admin


def test_an_edit_through_one_server_is_read_at_once_from_the_other_and_only_its_pages_render(
    servers,
):
    """Issue 18: exact invalidation across servers. A category renamed on server A: its
    article on server B shows the new name at once (server A rendered it before its save
    answered); an article elsewhere is still a hit, never rendered again."""
    editor_server, reader_server = servers
    old = timezone.now() - timedelta(days=2)
    moved = ArticleFactory(title="In the renamed section", published_at=old)
    elsewhere = ArticleFactory(title="Elsewhere", category=CategoryFactory(name="Other"))
    for path in (moved.get_absolute_url(), elsewhere.get_absolute_url()):
        reader_server.get(path)
        assert reader_server.get(path)[1]["X-Cache"] == "hit", path

    admin = log_in(editor_server)
    category = moved.category
    change = f"{admin}articles/category/{category.pk}/change/"
    token = editor_server.csrf_token(change)
    fields = {"name": "Renamed section", "slug": category.slug, "description": ""}
    status, _, _ = editor_server.post(change, {**fields, "csrfmiddlewaretoken": token})
    assert status == 200 and Category.objects.get(pk=category.pk).name == "Renamed section"

    # Rendered by the editor's server before its save answered (config/lib/warming.py).
    status, headers, page = reader_server.get(moved.get_absolute_url())
    assert status == 200 and "Renamed section" in page and headers["X-Cache"] == "hit"
    status, headers, page = reader_server.get(elsewhere.get_absolute_url())
    assert status == 200 and headers["X-Cache"] == "hit"


def test_publish_through_one_server_is_read_at_once_from_the_other(servers):
    editor_server, reader_server = servers
    ArticleFactory(title="Already live")
    draft = ArticleFactory(
        title="Shipped between servers", status=Article.Status.DRAFT, published_at=None
    )
    admin = "/" + settings.ADMIN_PATH

    # The reader's server has the home page cached, without the draft.
    reader_server.get("/")
    status, headers, home = reader_server.get("/")
    assert status == 200 and headers["X-Cache"] == "hit"
    assert "Already live" in home and "Shipped between servers" not in home
    assert reader_server.get(draft.get_absolute_url())[0] == 404

    # The editor logs in and publishes through the other server.
    log_in(editor_server)
    changelist = f"{admin}articles/article/"
    token = editor_server.csrf_token(changelist)
    editor_server.post(
        changelist,
        {
            "action": "publish_now",
            "_selected_action": [draft.pk],
            "index": "0",
            "select_across": "0",
            "csrfmiddlewaretoken": token,
        },
    )
    assert Article.objects.get(pk=draft.pk).is_published

    # The reader's server, with no restart and no wait, serves the new pages.
    status, _, page = reader_server.get(draft.get_absolute_url())
    assert status == 200 and "Shipped between servers" in page
    status, headers, home = reader_server.get("/")
    assert "Shipped between servers" in home and headers["X-Cache"] == "hit"  # rendered ahead

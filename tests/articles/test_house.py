"""The articles app's house rules (issue 13), checked on its source.

Rooms that show what they hold, and what moving files must never change: the salts signed
into links and archives given out. Module and function sizes, import circles and the reasons
for function-level imports are checked over all product code in tests/architecture/test_house.py.
"""

import json

from django.core import signing
from django.utils.crypto import salted_hmac

from articles.backoffice import preview
from articles.operations.backup import signing as backup_signing
from tests.architecture.imports import ROOT, graph, product_modules

APP = ROOT / "articles"
# What may sit at the top of the app: Django's own entry points, and the write path every
# room uses (writes, announce, and the signals for writes from outside the app).
TOP_LEVEL = {
    "__init__.py", "admin.py", "apps.py", "announce.py", "signals.py", "writes.py",
    "backoffice", "demo", "management", "migrations", "models", "operations", "public",
    "rendering", "search", "static", "templatetags",
}  # fmt: skip


def test_the_top_of_the_app_holds_only_the_rooms_and_the_write_path():
    found = {p.name for p in APP.iterdir() if not p.name.startswith((".", "__pycache__"))}
    assert found - {"__pycache__"} <= TOP_LEVEL, sorted(found - TOP_LEVEL)


def test_the_graph_reads_the_new_rooms():
    """The project-wide checks (tests/architecture) see the app's rooms and its write path."""
    modules = product_modules()
    for name in ("articles.writes", "articles.backoffice.admin.articles", "articles.public.views"):
        assert name in modules
    assert "articles.writes" in {target for target, _, _ in graph()["articles.signals"]}


def test_share_links_given_out_before_the_move_still_open():
    """The salt is signed into every link: moving the module must not change it."""
    token = signing.dumps({"article": 1, "v": 0}, salt="articles.preview", compress=True)
    assert signing.loads(token, salt=preview.SALT) == {"article": 1, "v": 0}


def test_archives_signed_before_the_move_still_verify():
    """The salt is part of every archive's signature: moving the module must not change it."""
    manifest = {"format": 2, "rows": {}, "sha256": {"data.json": "0" * 64}}
    canonical = json.dumps(manifest, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    mac = salted_hmac("articles.backup.manifest", canonical, algorithm="sha256").hexdigest()
    assert backup_signing.signature_problems({**manifest, "signature": {"hmac-sha256": mac}}) == []

"""The catalog's house rules (issue 13), checked on its source: rooms that show what they
hold. Module and function sizes, import circles and the reasons for function-level imports
are checked over all product code in tests/architecture/test_house.py."""

from tests.architecture.imports import ROOT, graph, product_modules

APP = ROOT / "models_catalog"
# The top of the app: Django's entry points, the write path every room uses (writes, the
# entries it takes, the changes it reports, its announcements), search documents, signals
# for writes from outside, and the notation the models, transfer and public rooms share.
TOP_LEVEL = {
    "__init__.py", "apps.py", "announce.py", "changes.py", "entries.py", "formatting.py",
    "search.py", "signals.py", "writes.py", "backoffice", "demo", "management", "migrations",
    "models", "public", "transfer",
}  # fmt: skip


def test_the_top_of_the_app_holds_only_the_rooms_and_the_write_path():
    found = {p.name for p in APP.iterdir() if p.name != "__pycache__"}
    assert found <= TOP_LEVEL, sorted(found - TOP_LEVEL)


def test_the_graph_reads_the_rooms():
    """The project-wide checks (tests/architecture) see the catalog's rooms and its hooks."""
    modules = product_modules()
    for name in ("models_catalog.writes", "models_catalog.backoffice.admin",
                 "models_catalog.public.views", "models_catalog.transfer.importer"):  # fmt: skip
        assert name in modules
    edges = {source: {target for target, _, _ in found} for source, found in graph().items()}
    assert {"models_catalog.writes", "models_catalog.announce"} <= edges["models_catalog.signals"]
    assert "models_catalog.signals" in edges["models_catalog.apps"]  # function level

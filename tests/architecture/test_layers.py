"""The one-way flow, checked on every module: config's roof → articles → catalog → floor."""

from tests.architecture.imports import graph

ROOF = ("config.settings", "config.urls", "config.views", "config.wsgi", "config.asgi")
APPS = ("articles", "models_catalog")


def _starts(name, prefixes):
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _violations(importers, forbidden):
    return sorted(
        f"{source}:{line} imports {target}"
        for source, imports in graph().items()
        if _starts(source, importers)
        for target, line, _ in imports
        if _starts(target, forbidden)
    )


def test_the_floor_imports_no_app_and_not_the_roof():
    assert _violations(("config.lib",), APPS + ROOF) == []


def test_the_catalog_never_imports_articles():
    assert _violations(("models_catalog",), ("articles",) + ROOF) == []


def test_articles_do_not_import_the_roof():
    assert _violations(("articles",), ROOF) == []


def test_the_graph_sees_function_level_imports():
    """The checks above would pass on an empty graph: make sure it is read."""
    edges = graph()
    assert ("articles.models", True) in {
        (target, top) for target, _, top in edges["articles.search.indexing"]
    }
    assert any(not top for imports in edges.values() for _, _, top in imports)

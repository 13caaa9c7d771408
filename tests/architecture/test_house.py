"""House rules over all product code (articles/, models_catalog/, config/), issue 13.

No module over 400 lines, no function over 40 (read with ast), no import circle between
modules (function-level imports count: they hide a circle, they do not break it), and every
function-level import says which cycle or heavy optional dependency it defers, in a
`# cycle:` or `# heavy:` comment. The per-app test_house files keep what is the app's own
(its rooms, its salts); these checks are here once, for every package.
"""

import ast
import textwrap

from tests.architecture.imports import (
    ROOT,
    circles,
    function_level,
    graph,
    imports_of,
    product_modules,
)

MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 40
REASONS = ("# cycle:", "# heavy:")


def _where(path):
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _sources():
    return {name: (path, path.read_text()) for name, path in product_modules().items()}


def test_no_module_over_400_lines():
    too_long = [
        f"{_where(path)} ({lines} lines)"
        for path, source in _sources().values()
        if (lines := len(source.splitlines())) > MAX_MODULE_LINES
    ]
    assert too_long == []


def test_no_function_over_40_lines():
    assert _long_functions(_sources().values()) == []


def _long_functions(sources):
    too_long = []
    for path, source in sources:
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1  # decorators not counted
                if length > MAX_FUNCTION_LINES:
                    too_long.append(f"{_where(path)}:{node.lineno} {node.name} ({length})")
    return too_long


def test_no_import_circle_between_modules():
    """Over the three packages together, module and function level alike."""
    assert circles(_edges(graph())) == []


def _edges(imports):
    return {
        source: {target for target, _, _ in found if target != source}
        for source, found in imports.items()
    }


def test_function_level_imports_say_which_cycle_or_heavy_dependency_needs_them():
    unexplained = []
    for path, source in _sources().values():
        unexplained += _unexplained(path, source)
    assert unexplained == []


def _unexplained(path, source):
    lines = source.splitlines()
    tree = ast.parse(source)
    inner = function_level(tree)
    return [
        f"{_where(path)}:{node.lineno}"
        for node in ast.walk(tree)
        if id(node) in inner and not _explained(lines, node.lineno)
    ]


def _explained(lines, lineno):
    """A reason on the import's line, or in the comment above the run of imports it is in."""
    number = lineno
    while number > 0:
        line = lines[number - 1].strip()
        if any(reason in line for reason in REASONS):
            return True
        if not line.startswith(("#", "from ", "import ")):
            return False
        number -= 1
    return False


# The checks above would pass on an empty graph or a blind reader: make sure they see.


def test_the_graph_covers_every_package_and_sees_function_level_imports():
    modules = product_modules()
    for package in ("config", "config.lib.cache", "articles.writes", "models_catalog.writes"):
        assert package in modules
    edges = graph()
    assert ("models_catalog.signals", False) in {
        (target, top) for target, _, top in edges["models_catalog.apps"]
    }


def test_every_name_of_a_from_import_is_an_edge(tmp_path):
    """`from pkg import a, b` imports pkg.a and pkg.b (the old reader kept only pkg.a)."""
    package = tmp_path / "pkg"
    package.mkdir()
    for name in ("__init__", "a", "b", "c"):
        (package / f"{name}.py").write_text("")
    (package / "c.py").write_text(
        textwrap.dedent("""
            from pkg import a, b
            from . import a as again
            def later():
                from pkg import Thing  # cycle: test
            """)
    )
    known = product_modules(tmp_path, ("pkg",))
    found = imports_of(package / "c.py", known, "pkg.c")
    assert [(target, top) for target, _, top in found] == [
        ("pkg.a", True),
        ("pkg.b", True),
        ("pkg.a", True),
        ("pkg", False),
    ]


def test_a_circle_through_a_function_level_import_is_found():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert circles(edges) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_long_functions_and_unexplained_imports_are_reported(tmp_path):
    path = tmp_path / "module.py"
    body = "\n".join(f"    x = {n}" for n in range(40))
    source = f"def long():\n{body}\n\n\ndef short():\n    import json\n\n    # heavy: test\n"
    source += "    import csv\n"
    path.write_text(source)
    assert [line.split(" ", 1)[1] for line in _long_functions([(path, source)])] == ["long (41)"]
    assert _unexplained(path, source) == [f"{path}:45"]

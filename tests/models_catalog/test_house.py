"""The catalog's house rules (issue 13), checked on its source: rooms that show what they
hold, no import circle, function-level imports only with a reason, small modules and
functions."""

import ast

from tests.architecture.imports import ROOT, module_name, product_modules

APP = ROOT / "models_catalog"
# The top of the app: Django's entry points, the write path every room uses (writes, the
# entries it takes, the changes it reports, its announcements), search documents, signals
# for writes from outside, and the notation the models, transfer and public rooms share.
TOP_LEVEL = {
    "__init__.py", "apps.py", "announce.py", "changes.py", "entries.py", "formatting.py",
    "search.py", "signals.py", "writes.py", "backoffice", "demo", "management", "migrations",
    "models", "public", "transfer",
}  # fmt: skip
REASONS = ("# cycle:", "# heavy:")


def _ours(name):
    return name == "models_catalog" or name.startswith("models_catalog.")


def _source_files():
    return [path for path in sorted(APP.rglob("*.py")) if "migrations" not in path.parts]


def test_the_top_of_the_app_holds_only_the_rooms_and_the_write_path():
    found = {p.name for p in APP.iterdir() if p.name != "__pycache__"}
    assert found <= TOP_LEVEL, sorted(found - TOP_LEVEL)


def _edges():
    """{module: {catalog modules it imports}}, module and function level, every name of a
    `from … import a, b` (each may be a module of its own)."""
    known = product_modules()
    edges = {}
    for path in _source_files():
        source = module_name(path)
        edges[source] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [f"{node.module}.{alias.name}" for alias in node.names]
            else:
                continue
            for name in names:
                while name and name not in known:
                    name = name.rpartition(".")[0]
                if _ours(name) and name != source:
                    edges[source].add(name)
    return edges


def test_no_import_circle_in_the_app():
    edges = _edges()

    def reaches(start, goal, seen):
        for target in edges.get(start, ()):
            if target == goal or (target not in seen and reaches(target, goal, seen | {target})):
                return True
        return False

    assert sorted(module for module in edges if reaches(module, module, set())) == []


def test_function_level_imports_say_which_cycle_or_heavy_dependency_needs_them():
    unexplained = []
    for path in _source_files():
        lines = path.read_text().splitlines()
        tree = ast.parse("\n".join(lines))
        top = {id(node) for node in tree.body}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in top:
                if not _explained(lines, node.lineno):
                    unexplained.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert unexplained == []


def _explained(lines, lineno):
    """A reason on the line, or in the comment above the run of imports it is in."""
    number = lineno
    while number > 0:
        line = lines[number - 1].strip()
        if any(reason in line for reason in REASONS):
            return True
        if not line.startswith(("#", "from ", "import ")):
            return False
        number -= 1
    return False


def test_no_module_over_400_lines_no_function_over_40():
    too_long = []
    for path in _source_files():
        source = path.read_text()
        where = str(path.relative_to(ROOT))
        if len(source.splitlines()) > 400:
            too_long.append(where)
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                if (length := node.end_lineno - node.lineno + 1) > 40:
                    too_long.append(f"{where} {node.name} ({length} lines)")
    assert too_long == []


def test_the_graph_reads_the_rooms():
    """The checks above would pass on an empty graph."""
    modules = product_modules()
    for name in ("models_catalog.writes", "models_catalog.backoffice.admin",
                 "models_catalog.public.views", "models_catalog.transfer.importer"):  # fmt: skip
        assert name in modules
    edges = _edges()
    assert {"models_catalog.writes", "models_catalog.announce"} <= edges["models_catalog.signals"]
    assert "models_catalog.signals" in edges["models_catalog.apps"]  # function level

"""The articles app's house rules (issue 13), checked on its source.

Rooms that show what they hold, no import circle, function-level imports only where a cycle or
a heavy optional dependency needs one (and saying which), small modules and functions. And
what moving files must never change: the salts signed into links and archives given out.
"""

import ast
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
# The lead replaces it with the catalog's bulk write path after merging (issue 13).
LONG_FUNCTIONS_ALLOWED = {("articles/operations/generate_site.py", "make_catalog")}
REASONS = ("# cycle:", "# heavy:")


def _ours(name):
    return name == "articles" or name.startswith("articles.")


def _source_files():
    return [
        path
        for path in sorted(APP.rglob("*.py"))
        if "migrations" not in path.parts and "demo" not in path.relative_to(APP).parts[:1]
    ]


def test_the_top_of_the_app_holds_only_the_rooms_and_the_write_path():
    found = {p.name for p in APP.iterdir() if not p.name.startswith((".", "__pycache__"))}
    assert found - {"__pycache__"} <= TOP_LEVEL, sorted(found - TOP_LEVEL)


def test_no_import_circle_in_the_app():
    """Module and function level alike: a function-level import hides a circle, not breaks it."""
    edges = {
        source: {target for target, _, _ in imports if _ours(target) and target != source}
        for source, imports in graph().items()
        if _ours(source)
    }
    circles = [component for component in _components(edges) if len(component) > 1]
    assert circles == []


def _components(edges):
    """Strongly connected components (Tarjan), each a sorted list of module names."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while not component or node not in component:
                component.add(stack.pop())
            on_stack.difference_update(component)
            found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


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
    """A `# cycle:`/`# heavy:` comment on the line, or above the run of imports it is in."""
    if any(reason in lines[lineno - 1] for reason in REASONS):
        return True
    number = lineno - 1
    while number > 0:
        line = lines[number - 1].strip()
        if line.startswith("#"):
            if any(reason in line for reason in REASONS):
                return True
        elif not line.startswith(("from ", "import ")):
            return False
        number -= 1
    return False


def test_the_graph_reads_the_new_rooms():
    """The checks above would pass on an empty graph."""
    modules = product_modules()
    for name in ("articles.writes", "articles.backoffice.admin.articles", "articles.public.views"):
        assert name in modules
    assert "articles.writes" in {target for target, _, _ in graph()["articles.signals"]}


def test_no_module_over_400_lines_no_function_over_40():
    too_long = []
    for path in _source_files():
        source = path.read_text()
        where = str(path.relative_to(ROOT))
        if len(source.splitlines()) > 400:
            too_long.append(where)
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > 40 and (where, node.name) not in LONG_FUNCTIONS_ALLOWED:
                    too_long.append(f"{where} {node.name} ({length} lines)")
    assert too_long == []


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

"""The project's import graph, read from the source (module and function level alike)."""

import ast
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("config", "articles", "models_catalog")


def module_name(path, root=ROOT):
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def product_modules(root=ROOT, packages=PACKAGES):
    """{module name: path} for every product module (migrations left out)."""
    found = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" not in path.parts:
                found[module_name(path, root)] = path
    return found


def function_level(tree):
    """ids of the import statements that run when a function is called, not on import."""
    inside = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            for child in ast.walk(node):
                if isinstance(child, ast.Import | ast.ImportFrom):
                    inside.add(id(child))
    return inside


def imports_of(path, known, name=None):
    """[(imported project module, line, at module level?)] for one file.

    Every name counts: `from a import b, c` is an edge to a.b and to a.c where those are
    modules, and to a itself for each name that is not. Relative imports are resolved.
    """
    tree = ast.parse(path.read_text(), filename=str(path))
    inner = function_level(tree)
    name = name or module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Import):
            targets = [_resolve(alias.name, known) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, package)
            for alias in node.names:
                submodule = f"{base}.{alias.name}" if base else alias.name
                targets.append(submodule if submodule in known else _resolve(base, known))
        for target in dict.fromkeys(targets):  # each module once per statement, in order
            if target:
                found.append((target, node.lineno, id(node) not in inner))
    return found


def _absolute(node, package):
    """The module a `from … import` reads from, relative ones made absolute."""
    if not node.level:
        return node.module
    parts = package.split(".")
    base = ".".join(parts[: len(parts) - node.level + 1])
    return f"{base}.{node.module}" if node.module else base


def _resolve(name, known):
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


@cache
def graph():
    """{module: [(imported project module, line, at module level?)]} for the product code."""
    modules = product_modules()
    return {name: imports_of(path, modules, name) for name, path in modules.items()}


def circles(edges):
    """Strongly connected components of more than one module (Tarjan), each sorted.

    `edges` is {module: {modules it imports}}; a component is a set of modules that import
    each other, directly or around a ring.
    """
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while node not in component:
                component.add(stack.pop())
            on_stack.difference_update(component)
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return sorted(found)

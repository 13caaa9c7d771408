"""The project's import graph, read from the source (module and function level alike)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("config", "articles", "models_catalog")


def module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def product_modules():
    """{module name: path} for every product module (migrations left out)."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                found[module_name(path)] = path
    return found


def imports_of(path, known):
    """[(imported project module, line, at module level?)] for one file."""
    tree = ast.parse(path.read_text(), filename=str(path))
    top_level = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
        else:
            continue
        for name in names:
            target = _resolve(name, known)
            if target:
                found.append((target, node.lineno, id(node) in top_level))
                break
    return found


def _resolve(name, known):
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def graph():
    modules = product_modules()
    return {name: imports_of(path, modules) for name, path in modules.items()}

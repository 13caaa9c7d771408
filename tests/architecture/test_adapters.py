"""Dependencies are used through their public API; the few private names sit in one adapter.

config/lib/adapters.py lists each private name it leans on; these tests fail, naming it, the
day an upgrade moves one. The scan below keeps new ones from appearing anywhere else.
"""

import ast
import inspect

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from taggit.managers import TaggableManager

from config.lib import adapters
from tests.architecture.imports import PACKAGES, product_modules

# Underscore names Django documents as public: Model._meta, Model._base_manager,
# Model._default_manager (managers docs), instance._state (model instance reference).
DOCUMENTED = {"_meta", "_base_manager", "_default_manager", "_state"}


def test_every_private_name_the_adapter_uses_still_exists():
    backend = DjangoRedisCache("redis://127.0.0.1:6379/9", {})
    for owner, name in adapters.PRIVATE_NAMES:
        target = {DjangoRedisCache: backend, RedisCacheClient: backend._cache}.get(owner, owner)
        assert hasattr(target, name), f"{owner.__qualname__}.{name} is gone: fix adapters.py"
    assert list(inspect.signature(RedisCacheClient._get_connection_pool).parameters) == [
        "self",
        "write",
    ]


def test_redis_client_is_reused_per_pool_without_connecting():
    client = adapters.RedisCache("redis://127.0.0.1:6379/9", {})._cache
    assert isinstance(client, adapters.ReusingRedisClient)
    first = client.get_client()
    assert first is client.get_client() is client.get_client(write=True)
    assert first.connection_pool is client._get_connection_pool(False)


def test_taggit_manager_base_is_the_one_taggit_builds():
    default = inspect.signature(TaggableManager.__init__).parameters["manager"].default
    assert default is adapters.TaggableManagerBase
    for method in ("add", "set", "remove"):
        assert callable(getattr(adapters.TaggableManagerBase, method)), method


def _defined_names(trees):
    """Every underscore name product code defines: functions, classes, attributes it sets."""
    names = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
    return names


def _private_uses(tree, ours):
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and not node.level:
            if node.module.split(".")[0] not in PACKAGES:
                for alias in node.names:
                    if alias.name.startswith("_"):
                        yield node.lineno, alias.name  # a dependency's private name
        if not isinstance(node, ast.Attribute):
            continue
        name = node.attr
        if name == "__get__":
            yield node.lineno, name  # binding a descriptor by hand reaches into its class
        if not name.startswith("_") or name.startswith("__") or name in DOCUMENTED:
            continue
        through_super = (
            isinstance(node.value, ast.Call) and getattr(node.value.func, "id", None) == "super"
        )
        if through_super or name not in ours:
            yield node.lineno, name


def test_no_private_attribute_of_a_dependency_outside_the_adapter():
    """`x._name` is ours (defined in product code) or a documented Django name, or it is a
    dependency's private API: that belongs in config/lib/adapters.py."""
    modules = product_modules()
    trees = {name: ast.parse(path.read_text()) for name, path in modules.items()}
    ours = _defined_names(trees.values())
    found = [
        f"{modules[name]}:{line} .{attr}"
        for name, tree in trees.items()
        if name != "config.lib.adapters"
        for line, attr in _private_uses(tree, ours)
    ]
    assert found == []

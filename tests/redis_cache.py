"""Pages, parts and versions in a real Redis, for the tests that need one."""

import uuid
from contextlib import contextmanager

import pytest


@contextmanager
def shared_redis(settings, url, name):
    """Both caches (pages and versions) in the Redis database `url`, under a key prefix of
    this test's own, removed afterwards; yields (a redis client, the prefix). Skips the test
    when Redis is not reachable."""
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(url, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis is not reachable at {url}: {error}")
    prefix = f"{name}-{uuid.uuid4().hex}"
    shared = {"BACKEND": "config.lib.adapters.RedisCache", "LOCATION": url, "KEY_PREFIX": prefix}
    settings.CACHES = {"default": shared, "generations": shared}
    try:
        yield client, prefix
    finally:
        for key in client.scan_iter(match=f"{prefix}:*", count=1000):
            client.delete(key)

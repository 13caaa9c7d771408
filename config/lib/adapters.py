"""The one place ModelPress leans on a dependency's private API.

Each use is here, named, and checked by tests/architecture/test_adapters.py, which fails loudly
(naming the attribute) when an upgrade moves it, rather than letting the code below fall back
to slower or wrong behaviour silently.
"""

import redis
from django.core.cache.backends.redis import RedisCache as _DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from taggit.managers import _TaggableManager

# (owner, attribute) for every private name used below; the test checks each still exists.
PRIVATE_NAMES = [
    (_DjangoRedisCache, "_class"),  # set in __init__: the client class `_cache` builds
    (RedisCacheClient, "_get_connection_pool"),  # (write) -> the pool for that server
    (_DjangoRedisCache, "_cache"),  # the RedisCacheClient the backend calls
    (RedisCacheClient, "_serializer"),  # set in __init__: what turns values into bytes
]

# taggit's `TaggableManager(manager=...)` takes a subclass of this class; the name is private
# but it is the documented way to customise the manager (config/lib/tagging.py overrides only
# its public add, set and remove).
TaggableManagerBase = _TaggableManager


class RedisCache(_DjangoRedisCache):
    """Django's Redis cache, keeping one client per connection pool.

    Django builds a new `redis.Redis` for every cache call; with redis-py 8 that construction
    (its response-callback table) cost about as much as the network round trip of a page hit.
    Clients are thread-safe and share the pool, so one per pool is enough. Django offers no
    public hook for the client class, hence the two private names above.
    """

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisClient

    def client(self):
        """The redis-py client for writes, for what the cache API has no word for (a sorted
        set, a script: config/lib/warming.py). Keys are `make_and_validate_key(name)`."""
        return self._cache.get_client(write=True)

    def encode(self, value):
        """`value` as `set` stores it (what `get` reads back)."""
        return self._cache._serializer.dumps(value)


class ReusingRedisClient(RedisCacheClient):
    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("modelpress_clients", {})
        if id(pool) not in clients:  # pools live as long as this client: ids are stable
            clients[id(pool)] = redis.Redis(connection_pool=pool)
        return clients[id(pool)]

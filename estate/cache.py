"""The shared cache's backend: Django's Redis cache, less a client object per call.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` around the connection
pool on every cache call (its ``__init__`` sets up response callbacks and options: about a
tenth of an API ticket creation's CPU, three cache reads). The object holds no state of its
own between calls (connections come from the pool, which redis-py re-creates after a fork),
so one per pool serves every call of the process, as redis-py intends."""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _Client(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _Client

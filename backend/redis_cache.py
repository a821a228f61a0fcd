"""Django's Redis cache, with one Redis client per connection pool, and a
breaker that stops asking a Redis that does not answer.

Django's RedisCacheClient builds a new `redis.Redis` for every cache call, and
redis-py's constructor fills a table of some 160 response callbacks each time:
measured here at ~0.2 ms of CPU per call, more than the round trip to Redis
itself, on reads that make one cache call and nothing else. The client is
thread-safe and only wraps the pool, so one per pool is kept.

Every use of the cache fails open (a read is computed, a rate limit not
counted), but a Redis cut off by the network makes each call wait out its
socket timeout, and a signed-in read makes several. After a connection error
or a timeout, this process treats the cache as down for CACHE_RETRY_SECONDS
(calls fail at once, as if refused) and then tries again.
"""

import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis import Redis
from redis.client import Pipeline
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)


class _Breaker:
    def __init__(self) -> None:
        self._down_until = 0.0
        self._lock = threading.Lock()

    def check(self) -> None:
        if time.monotonic() < self._down_until:
            raise RedisConnectionError("the cache did not answer a moment ago; not asked again yet")

    def reset(self) -> None:
        self._down_until = 0.0

    def trip(self, error: Exception) -> None:
        with self._lock:
            self._down_until = time.monotonic() + settings.CACHE_RETRY_SECONDS
        logger.warning(
            "cache unavailable (%s); not asked for %s s", error, settings.CACHE_RETRY_SECONDS
        )


breaker = _Breaker()
_UNANSWERED = (RedisConnectionError, RedisTimeoutError)


class _BreakerPipeline(Pipeline):
    def execute(self, raise_on_error: bool = True) -> list[Any]:
        breaker.check()
        try:
            return super().execute(raise_on_error)
        except _UNANSWERED as error:
            breaker.trip(error)
            raise


class _BreakerRedis(Redis):
    def execute_command(self, *args: Any, **options: Any) -> Any:
        breaker.check()
        try:
            return super().execute_command(*args, **options)
        except _UNANSWERED as error:
            breaker.trip(error)
            raise

    def pipeline(self, transaction: bool = True, shard_hint: Any = None) -> Pipeline:
        return _BreakerPipeline(
            self.connection_pool, self.response_callbacks, transaction, shard_hint
        )


class ReusedClientCacheClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._client = _BreakerRedis
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)
            client = self._clients[index] = self._client(connection_pool=pool)
        return client


class ReusedClientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict) -> None:
        super().__init__(server, params)
        self._class = ReusedClientCacheClient

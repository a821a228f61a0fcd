"""Background jobs: rq on Redis, or in-process when there is no Redis.

Jobs take ids (never model instances) and are enqueued only after the
transaction that made their data commits. In-process mode round-trips the
arguments through JSON so what would not serialize for rq fails here too.
"""

import json
import logging
from collections.abc import Callable
from functools import cache

import redis
from django.conf import settings
from django.db import transaction
from rq import Queue, Retry

logger = logging.getLogger(__name__)

DEFAULT_RETRY = Retry(max=5, interval=[10, 30, 120, 600, 1800])


@cache
def redis_connection() -> redis.Redis:
    return redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=5, health_check_interval=30
    )


def queue(name: str = "default") -> Queue:
    return Queue(name, connection=redis_connection())


def enqueue(func: Callable, *args: object, queue_name: str = "default") -> None:
    if settings.JOBS_INLINE:
        func(*json.loads(json.dumps(args)))
        return
    # In one round trip: on its own, rq registers the queue in one and saves and
    # pushes the job in another (0.1 ms more of a new report's time).
    with redis_connection().pipeline() as pipe:
        queue(queue_name).enqueue(func, *args, retry=DEFAULT_RETRY, pipeline=pipe)
        pipe.execute()


def enqueue_on_commit(func: Callable, *args: object, queue_name: str = "default") -> None:
    """Queue the job once the transaction commits. If Redis is unreachable then,
    the error is logged and the request still succeeds: what the job was for is
    already in the database, and a periodic sweep queues it again."""
    transaction.on_commit(lambda: enqueue(func, *args, queue_name=queue_name), robust=True)

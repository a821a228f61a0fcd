"""`manage.py run_worker`: an rq worker that outlives Redis.

rq's own worker retries a lost connection while it waits for jobs, but it
exits when Redis is unreachable as it starts (a deploy during an outage, a
restart by the process manager) and on some errors mid-loop; the deployment
then has no worker until someone restarts it, and notifications wait. This
command runs the same worker in a loop: when it stops on a Redis error, the
command waits (1, 2, 4 ... at most 30 s) and starts it again; a stop asked for
(SIGTERM, SIGINT) ends it. The process managers restart it too
(infra/compose.yaml, Kubernetes), should the command itself die.
"""

import logging
import time

from django.core.management.base import BaseCommand, CommandParser
from redis.exceptions import RedisError
from rq import Worker

from backend.jobs import queue, redis_connection

logger = logging.getLogger(__name__)
QUEUES = ["default", "notifications"]
MAX_WAIT_SECONDS = 30.0


class Command(BaseCommand):
    help = "Run an rq worker on the service's queues, starting it again when Redis returns."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--burst", action="store_true", help="stop when the queues are empty")

    def handle(self, *args: object, **options: object) -> None:
        wait = 1.0
        while True:
            started = time.monotonic()
            try:
                worker = Worker([queue(name) for name in QUEUES], connection=redis_connection())
                worker.work(burst=bool(options["burst"]), with_scheduler=False)
                return  # a stop asked for, or the burst is done
            except RedisError as error:
                if time.monotonic() - started > 60:
                    wait = 1.0  # it worked for a while: a new outage starts from the shortest wait
                logger.warning(
                    "worker stopped, Redis unavailable (%s); again in %.0f s", error, wait
                )
                time.sleep(wait)
                wait = min(wait * 2, MAX_WAIT_SECONDS)

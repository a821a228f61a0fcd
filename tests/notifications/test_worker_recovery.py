"""A worker started while Redis is down waits for it, and once Redis returns a
notification goes out, with nobody restarting anything.

Runs on a Redis of its own (a free port), never the machine's, and a real
`manage.py run_worker` process against this test's database."""

import os
import socket
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from backend.jobs import redis_connection
from backend.reports.timeline import sweep_undispatched
from tests.notifications.test_push import TOKEN_AN, register
from tests.process_output import drain, wait_for_line
from tests.redis_server import start_redis

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_notification_goes_out_once_redis_returns(tra_vinh, fcm, resident, staff, ticket_842):
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
        f"{database['NAME']}",
        "REDIS_URL": url,
        "SECRET_KEY": "worker-recovery-test",
        "DEBUG": "0",
        "FIREBASE_AUTH_EMULATOR_HOST": "",
        "NOTIFICATION_SENDER": "fcm",
        "FCM_ENDPOINT": fcm.url,
        "FCM_ACCESS_TOKEN": "local-test-access-token",
    }
    register(resident, TOKEN_AN, "vi")
    previous = settings.REDIS_URL
    settings.REDIS_URL = url  # nothing listens there yet
    settings.EVENT_SWEEP_AFTER_SECONDS = 0
    redis_connection.cache_clear()
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "run_worker"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    redis = None
    try:
        # Acknowledged while Redis is down: the job that tells followers cannot be queued.
        response = staff["staff842"].post_json(
            f"/api/v1/staff/tickets/{ticket_842['id']}/status", {"status": "acknowledged"}
        )
        assert response.status_code == 200, response.content
        assert worker.stderr is not None
        wait_for_line(worker.stderr, "Redis unavailable", timeout=30)  # it met the outage
        drain(worker.stderr)
        assert worker.poll() is None, "the worker gave up"
        redis = start_redis(port)
        assert sweep_undispatched() >= 1  # what rq cron runs every minute
        # The worker comes back by itself, tells the followers, queues and sends the push.
        assert len(fcm.wait_for(TOKEN_AN, timeout=90)) == 1, "no push after Redis returned"
        assert worker.poll() is None
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
        if redis is not None:
            redis.terminate()
            redis.wait()
        settings.REDIS_URL = previous
        redis_connection.cache_clear()

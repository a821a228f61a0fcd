"""Fan-out: one status change on a report followed by 10,000 residents.

    uv run python bench/fanout.py [--followers 10000]

Each follower has 1.5 devices on average (15,000 pushes). The change is made
through the workflow function (its event writes the 10,000 notifications and
15,000 pending deliveries in the same transaction); one worker (this process)
then delivers them with firebase-admin's real messaging code to a local FCM
HTTP v1 server running in a process of its own. Timed from the event to the
last push, with send_each batches of 500 and then one push per request, in the
same run; once on bare loopback and once with the server answering after 30 ms,
a round trip to Google's servers from Viet Nam. Then the same event once more,
delivered by two `rq worker` processes sharing its jobs (one per 1,000
notifications), as a deployment with two workers would.
"""

import argparse
import atexit
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)

from bench.setup_db import BENCH_DATABASE_URL, ensure_reports, setup_django, vacuum  # noqa: E402


def received(server_url: str) -> int:
    with urllib.request.urlopen(f"{server_url}/_count") as response:  # noqa: S310 - loopback
        return json.loads(response.read())["received"]


def start_server(latency_ms: int) -> str:
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.fcm_server", str(latency_ms)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    atexit.register(server.terminate)
    return server.stdout.readline().strip()


def make_followers(report, count: int) -> int:
    from backend.accounts.models import Role, User
    from backend.reports.models import Follower
    from notifications.models import Delivery, Device, Notification

    User.objects.filter(username__startswith="fanout-").delete()
    users = User.objects.bulk_create(
        [
            User(username=f"fanout-{i}", role=Role.RESIDENT, firebase_uid=f"fanout-{i}")
            for i in range(count)
        ],
        batch_size=2000,
    )
    Follower.objects.bulk_create([Follower(report=report, user=u) for u in users], batch_size=2000)
    devices = [
        Device(
            user=user,
            token=f"fanout-token-{i}-{d}-" + "x" * 100,
            platform="android",
            locale=("vi", "en", "km")[i % 3],
        )
        for i, user in enumerate(users)
        for d in range(2 if i % 2 else 1)  # 1.5 devices each
    ]
    Device.objects.bulk_create(devices, batch_size=2000)
    vacuum(User, Follower, Device, Notification, Delivery)
    return len(devices)


def run(followers: int, latency_ms: int, single_sample: int, workers: int = 2) -> None:
    from django.conf import settings
    from django.db import transaction

    from backend.accounts.models import Role, User
    from backend.areas.models import Area, Unit
    from backend.reports.models import Report, Status
    from backend.reports.workflow import change_status
    from notifications import fcm
    from notifications.delivery import deliver_notifications
    from notifications.models import Delivery, DeliveryState, Notification

    server_url = start_server(latency_ms)
    settings.NOTIFICATION_SENDER = "fcm"
    settings.FCM_ENDPOINT = server_url
    settings.FCM_ACCESS_TOKEN = "bench-token"  # noqa: S105 - a local server's
    settings.FCM_BATCH_SIZE = 500
    settings.JOBS_INLINE = True  # this process is the one worker: delivery runs on commit
    fcm.reset()

    report = Report.objects.filter(status=Status.SUBMITTED, unit__code="urban-842").first()
    Notification.objects.filter(report=report).delete()
    report.followers.all().delete()
    device_count = make_followers(report, followers)
    actor, _ = User.objects.get_or_create(
        username="fanout-staff",
        defaults={
            "role": Role.STAFF,
            "unit": Unit.objects.get(code="urban-842"),
            "scope_area": Area.objects.active().get(code="842"),
        },
    )
    print(
        f"-- server latency {latency_ms} ms; report {report.reference}: "
        f"{followers:,} followers, {device_count:,} devices"
    )

    start = time.perf_counter()
    with transaction.atomic():
        change_status(report.id, actor, Status.ACKNOWLEDGED, "Đã tiếp nhận")
        written = time.perf_counter() - start
    total = time.perf_counter() - start  # the commit ran the delivery job
    ids = list(Notification.objects.filter(report=report).values_list("id", flat=True))
    sent = Delivery.objects.filter(notification__report=report, state=DeliveryState.SENT).count()
    batched_rate = sent / total
    print(
        f"batches of 500: {len(ids):,} notifications written in {written:.2f} s; "
        f"{sent:,} pushes delivered {total:.2f} s after the event "
        f"({len(ids) / total:,.0f} notifications/s, {batched_rate:,.0f} pushes/s); "
        f"the server received {received(server_url):,}"
    )

    sample = list(
        Delivery.objects.filter(notification__report=report).order_by("id")[:single_sample]
    )
    Delivery.objects.filter(id__in=[d.id for d in sample]).update(state=DeliveryState.PENDING)
    settings.FCM_BATCH_SIZE = 1
    start = time.perf_counter()
    deliver_notifications(sorted({d.notification_id for d in sample}))
    single_rate = len(sample) / (time.perf_counter() - start)
    print(f"one push per request: {len(sample):,} pushes at {single_rate:,.0f} pushes/s")
    print(f"ratio {batched_rate / single_rate:.1f} x; all {device_count:,} pushes in {total:.2f} s")

    Notification.objects.filter(report=report).delete()
    Report.objects.filter(id=report.id).update(status=Status.SUBMITTED)
    if workers:
        shared = with_workers(report.id, actor, server_url, workers, device_count)
        print(
            f"{workers} rq workers (a delivery job per 1,000 notifications): all "
            f"{device_count:,} pushes {shared:.2f} s after the event"
        )
        Notification.objects.filter(report=report).delete()
        Report.objects.filter(id=report.id).update(status=Status.SUBMITTED)
    report.followers.all().delete()
    User.objects.filter(username__startswith="fanout-").delete()


def with_workers(report_id, actor, server_url: str, workers: int, device_count: int) -> float:
    """The same event, delivered by rq workers in processes of their own (the
    deployment's `rq worker -c backend.rq_config`), through a Redis database of
    the benchmark's own."""
    from django.conf import settings
    from django.db import transaction

    from backend.jobs import queue, redis_connection
    from backend.reports.models import Status
    from backend.reports.workflow import change_status
    from notifications.models import Delivery, DeliveryState, Notification

    vacuum(Notification, Delivery)  # the first delivery's rows, deleted
    redis_url = "redis://127.0.0.1:6379/12"
    settings.REDIS_URL, settings.JOBS_INLINE = redis_url, False
    redis_connection.cache_clear()
    queue("notifications").empty()
    env = {
        **os.environ,
        "DATABASE_URL": BENCH_DATABASE_URL,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "bench-only",
        "NOTIFICATION_SENDER": "fcm",
        "FCM_ENDPOINT": server_url,
        "FCM_ACCESS_TOKEN": "bench-token",
    }
    rq = Path(sys.executable).parent / "rq"
    log = (ROOT / "var" / "bench-workers.log").open("ab")
    processes = [
        subprocess.Popen(
            [str(rq), "worker", "-c", "backend.rq_config", "--quiet"],
            cwd=ROOT,
            env=env,
            stderr=log,
        )
        for _ in range(workers)
    ]
    try:
        time.sleep(3)  # the workers are up and waiting, as in production
        sent = Delivery.objects.filter(notification__report_id=report_id, state=DeliveryState.SENT)
        start = time.perf_counter()
        with transaction.atomic():
            change_status(report_id, actor, Status.ACKNOWLEDGED, "Đã tiếp nhận")
        while sent.count() < device_count and time.perf_counter() - start < 120:
            time.sleep(0.05)
        return time.perf_counter() - start
    finally:
        for process in processes:
            process.terminate()
            process.wait()
        settings.JOBS_INLINE = True


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--followers", type=int, default=10_000)
    args = parser.parse_args()
    setup_django()
    ensure_reports(1_000)  # a fresh benchmark database has no report to fan out
    import logging

    logging.getLogger("notifications").setLevel(logging.WARNING)
    run(args.followers, latency_ms=0, single_sample=3000)
    run(args.followers, latency_ms=30, single_sample=300)
    print("goal: all 15,000 pushes in under 15 s with one worker, at least 5 x one-at-a-time")


if __name__ == "__main__":
    main()

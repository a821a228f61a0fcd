"""Faults: what the service does when PostgreSQL restarts, Redis stops, a
worker dies in the middle of a photo, or slow clients hold connections open,
and how it comes back.

    uv run python bench/faults.py [postgres] [redis] [worker] [slow]

Each scenario runs the API under gunicorn with its production settings, on a
PostgreSQL cluster and a Redis of this script's own (ports 5442 and 6391,
started here and stopped after), so the machine's own services are never
touched and anyone may run it; where jobs run, real `manage.py run_worker`
processes and the local FCM server. Each prints what it saw and ends with
PASS or FAIL.
"""

import argparse
import os
import shutil
import signal
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # the project, not bench/

import requests  # noqa: E402

# isort: off
# The harness first: it points the benchmark's database at its own cluster
# before bench.api_server and bench.setup_db read where it is.
from bench.fault_harness import (  # noqa: E402 - after the path is set
    APP_ENV,
    MEDIA_ROOT,
    PHOTO,
    PORT,
    POSTGRES,
    PROXY_PORT,
    REDIS_URL,
    ROOT,
    MixedLoad,
    add_photo,
    distinct_photo,
    new_report,
    run_worker_burst,
    start_redis,
    start_worker,
    verdict,
)
from bench.api_server import make_identities, start_api  # noqa: E402
from bench.setup_db import setup_django  # noqa: E402

# isort: on


def postgres_restart(identities) -> bool:
    """Restart PostgreSQL under load: clean 503s, then recovery without a restart."""
    print("\n== PostgreSQL restarted mid-load ==")
    from django.db import connection

    from backend.reports.models import Report

    base = f"http://127.0.0.1:{PORT}"
    server = start_api(PORT, identities, workers=3, **APP_ENV)
    try:
        public = Report.objects.filter(visibility="public")
        session = requests.Session()
        for n in range(max(0, 20 - public.count())):  # a fresh cluster has none yet
            new_report(session, base, identities.residents[n % 4], str(uuid.uuid4()))
        report_ids = [str(i) for i in public.values_list("id", flat=True)[:200]]
        load = MixedLoad(identities, base, report_ids, seconds=16)
        time.sleep(4)
        restart_at = load.now()
        POSTGRES.restart()
        restarted_at = load.now()
        connection.close()  # this script's own connection died with the restart
        load.join()
        ready = requests.get(f"{base}/readyz", timeout=5).status_code
        seen, posted = load.seen, load.posted

        before = Counter(s for t, _, s, _ in seen if t < restart_at)
        during = Counter((s, c) for t, _, s, c in seen if restart_at <= t <= restarted_at + 1)
        after = [(t, s) for t, _, s, _ in seen if t > restarted_at]
        first_ok = next((t for t, s in after if s < 400), None)
        late = Counter(s for t, s in after if first_ok is not None and t > first_ok)
        print(f"restart from {restart_at:.1f} s to {restarted_at:.1f} s into the run")
        print(f"before: {dict(before)}")
        print(f"during (and 1 s after): {dict(during)}")
        if first_ok is not None:
            print(f"first success {first_ok - restarted_at:.2f} s after PostgreSQL was back")
        print(f"after that: {dict(late)}; /readyz {ready}")

        # Each resident's app retries what failed, with the same report id.
        failed = [rid for rid, status in posted.items() if status >= 400 or status == 0]
        session = requests.Session()
        retried = Counter(
            new_report(session, base, load.sender[rid], rid).status_code for rid in failed
        )
        stored = Report.objects.filter(id__in=list(posted)).count()
        accepted = sum(1 for status in posted.values() if status in (200, 201))
        print(
            f"{len(posted)} creations tried, {accepted} accepted at once, {len(failed)} failed; "
            f"retried with the same id: {dict(retried)}; reports stored: {stored}"
        )
        unclean = [
            (s, c) for _, _, s, c in seen if s >= 400 and (s, c) != (503, "service_unavailable")
        ]
        print(f"failures other than a 503 service_unavailable: {len(unclean)} {Counter(unclean)}")
        return verdict(
            not unclean
            and first_ok is not None
            and ready == 200
            and set(late) <= {200, 201}
            and stored == len(posted)
            and set(retried) <= {200, 201}
        )
    finally:
        server.terminate()
        server.wait(timeout=10)


def redis_stopped(identities) -> bool:
    """Stop Redis: reports and photos are still accepted; their jobs wait in
    the database (the photos to process, the timeline events whose pushes are
    written when they are dispatched) and go out once Redis is back, through
    the same sweeps the schedule runs."""
    print("\n== Redis stopped ==")
    from backend.photos.models import Photo, PhotoState
    from backend.photos.processing import sweep_unprocessed_photos
    from backend.reports.models import ReportEvent
    from backend.reports.timeline import sweep_undispatched
    from notifications.delivery import sweep_undelivered
    from notifications.models import Delivery, DeliveryState, Device
    from tests.fcm_server import FcmServer

    staff_device, _ = Device.objects.update_or_create(
        token="faults-staff-device-" + "x" * 80,
        defaults={"user_id": identities.staff_id, "platform": "android", "active": True},
    )
    base = f"http://127.0.0.1:{PORT}"
    redis = start_redis()
    server = start_api(PORT, identities, workers=2, **APP_ENV)
    fcm = FcmServer()
    try:
        redis.terminate()
        redis.wait()
        session = requests.Session()
        probe = session.get(f"{base}/readyz", timeout=10)
        ready, readiness = probe.status_code, probe.json()
        statuses, report_ids, photo_ids = Counter(), [], []
        for n in range(10):
            token = identities.residents[n % len(identities.residents)]
            response = new_report(session, base, token, str(uuid.uuid4()))
            statuses[response.status_code] += 1
            report_id = response.json().get("id")
            report_ids.append(report_id)
            # A photo nobody sent before: the same one from many residents
            # would be held as reused, and staff hear only of tickets not held.
            upload = add_photo(session, base, token, report_id, distinct_photo())
            statuses[upload.status_code] += 1
            photo_ids.append(upload.json().get("id"))
        deliveries = Delivery.objects.filter(notification__report_id__in=report_ids)
        pending_photos = Photo.objects.filter(id__in=photo_ids, state=PhotoState.PENDING).count()
        undispatched = ReportEvent.objects.filter(report_id__in=report_ids, dispatched_at=None)
        pending_events = undispatched.count()
        print(f"with Redis stopped: /readyz {ready} {readiness}; answers {dict(statuses)}")
        print(f"waiting in the database: {pending_photos} photos, {pending_events} events")

        redis = start_redis()
        from backend.jobs import redis_connection

        redis_connection.cache_clear()
        queued = sweep_unprocessed_photos(), sweep_undispatched(), sweep_undelivered()
        log = run_worker_burst(
            NOTIFICATION_SENDER="fcm",
            FCM_ENDPOINT=fcm.url,
            FCM_ACCESS_TOKEN="faults-token",  # noqa: S106 - a local server's
        )
        ready_photos = Photo.objects.filter(id__in=photo_ids, state=PhotoState.READY).count()
        sent = deliveries.filter(state=DeliveryState.SENT).count()
        ours = {str(n) for n in deliveries.values_list("notification_id", flat=True)}
        arrived = [r for r in fcm.received if r.message["data"]["notification_id"] in ours]
        print(
            f"Redis back: the sweeps queued {queued[0]} photos, {queued[1]} events and "
            f"{queued[2]} pushes; after one worker run: {ready_photos}/{len(photo_ids)} photos "
            f"ready, {undispatched.count()} events undispatched, "
            f"{sent}/{deliveries.count()} pushes sent; {len(arrived)} arrived at the FCM server"
        )
        if ready_photos < len(photo_ids):
            print(log[-2000:])
        return verdict(
            ready == 200  # still ready: the instance keeps taking reports
            and set(statuses) == {201}
            and pending_photos == len(photo_ids)
            and pending_events > 0
            and ready_photos == len(photo_ids)
            and not undispatched.exists()
            and sent == deliveries.count() == len(arrived) > 0
        )
    finally:
        # Off again, or every report the load benchmark makes would queue a push to it.
        Device.objects.filter(id=staff_device.id).update(active=False)
        fcm.stop()
        server.terminate()
        server.wait(timeout=10)
        redis.terminate()
        redis.wait()


def worker_killed(identities) -> bool:
    """Kill a worker (SIGKILL) while it processes photos: once a worker is back
    and the sweep has run, every photo is processed, each once."""
    print("\n== A worker killed mid-photo ==")
    from rq.registry import FinishedJobRegistry, StartedJobRegistry

    from backend.jobs import queue, redis_connection
    from backend.photos.models import Photo, PhotoState
    from backend.photos.processing import sweep_unprocessed_photos

    base = f"http://127.0.0.1:{PORT}"
    redis = start_redis()
    redis_connection.cache_clear()
    server = start_api(PORT, identities, workers=2, **APP_ENV)
    try:
        session = requests.Session()
        token = identities.residents[1]
        report_id = new_report(session, base, token, str(uuid.uuid4())).json()["id"]
        photo_ids = []
        for n in range(5):
            # Five different photos (a changed byte in the EXIF comment each).
            data = PHOTO.replace(b"OPPO", f"OPP{n}".encode(), 1)
            upload = add_photo(session, base, token, report_id, data)
            photo_ids.append(upload.json()["id"])
        worker = start_worker()
        photos = Photo.objects.filter(id__in=photo_ids)
        started = StartedJobRegistry(queue=queue())
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (
            photos.filter(state=PhotoState.READY).exists() and started.get_job_ids()
        ):
            time.sleep(0.005)  # until one photo is done and the next is being processed
        os.killpg(worker.pid, signal.SIGKILL)  # the worker and the horse mid-photo
        worker.wait()
        done_before = photos.filter(state=PhotoState.READY).count()
        in_flight = started.get_job_ids()
        print(
            f"killed the worker after {done_before} of {len(photo_ids)} photos were ready, "
            f"with {len(in_flight)} job in flight"
        )

        queued = sweep_unprocessed_photos()
        log = run_worker_burst()
        ready = photos.filter(state=PhotoState.READY).count()
        finished = FinishedJobRegistry(queue=queue()).get_job_ids()
        outcomes = [
            (job.args[0], job.return_value())
            for job in queue().job_class.fetch_many(finished, connection=redis_connection())
            if job
        ]
        processed = Counter(photo_id for photo_id, outcome in outcomes if outcome == "ready")
        print(
            f"the sweep queued {queued}; after a new worker's run {ready}/{len(photo_ids)} ready; "
            f"jobs finished {Counter(outcome for _, outcome in outcomes)}; "
            f"most times one photo was processed: {max(processed.values(), default=0)}"
        )
        if ready < len(photo_ids):
            print(log[-2000:])
        derivatives = sum(
            1
            for photo_id in photo_ids
            for p in (Path(MEDIA_ROOT) / "public" / "photos" / photo_id).glob("*")
        )
        print(f"derivative files: {derivatives} for {len(photo_ids)} photos")
        return verdict(
            ready == len(photo_ids)
            and max(processed.values(), default=0) <= 1
            and derivatives == 2 * len(photo_ids)
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
        redis.terminate()
        redis.wait()


def _slow_clients(port: int, count: int) -> list:
    """Connections that promise a large body and send a few bytes of it."""
    import socket

    held = []
    for _ in range(count):
        connection = socket.create_connection(("127.0.0.1", port), timeout=5)
        connection.sendall(
            b"POST /api/v1/photos HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: multipart/form-data; boundary=x\r\n"
            b"Content-Length: 1000000\r\n\r\n--x\r\n"
        )
        held.append(connection)
    return held


def _probe_health(port: int, tries: int = 10) -> tuple[int, list[float]]:
    """/healthz, once every 0.3 s: how many answered within 2 s, and how fast."""
    answered, times = 0, []
    for _ in range(tries):
        started = time.monotonic()
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                answered += 1
                times.append((time.monotonic() - started) * 1000)
        except requests.RequestException:
            pass
        time.sleep(0.3)
    return answered, times


def slow_clients(identities) -> bool:
    """Slow clients hold gunicorn's three sync workers when they reach it
    directly; behind the buffering proxy (infra/nginx/) /healthz still answers."""
    print("\n== Slow clients (a body promised and sent a few bytes at a time) ==")
    from tests.nginx_proxy import start_proxy

    server = start_api(PORT, identities, workers=3, **APP_ENV)
    proxy = start_proxy(ROOT / "var" / "faults-proxy", f"127.0.0.1:{PORT}", PROXY_PORT)
    results = {}
    try:
        for name, port, count in (("direct", PORT, 4), ("through the proxy", PROXY_PORT, 64)):
            held = _slow_clients(port, count)
            time.sleep(0.5)
            answered, times = _probe_health(port)
            for connection in held:
                connection.close()
            time.sleep(1)  # the workers let go of the closed connections
            results[name] = answered
            fastest = f", {min(times):.1f} to {max(times):.1f} ms" if times else ""
            print(f"{name}: {count} slow connections held; /healthz answered {answered}/10"
                  f" within 2 s{fastest}")  # fmt: skip
    finally:
        proxy.terminate()
        proxy.wait()
        server.terminate()
        server.wait(timeout=10)
    return verdict(results["through the proxy"] == 10 and results["direct"] < 10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("scenarios", nargs="*", default=["worker", "redis", "postgres", "slow"])
    args = parser.parse_args()
    os.environ["REDIS_URL"] = REDIS_URL
    POSTGRES.start()
    try:
        results = run(args.scenarios)
    finally:
        from django.db import connections

        connections.close_all()
        POSTGRES.stop()
    print("\n" + ", ".join(f"{k}: {'PASS' if v else 'FAIL'}" for k, v in results.items()))
    sys.exit(0 if all(results.values()) else 1)


def run(scenarios: list[str]) -> dict[str, bool]:
    setup_django(keep_redis=True)
    import logging

    logging.disable(logging.WARNING)
    identities = make_identities(residents=8)
    # What an interrupted earlier run left waiting would be swept with this run's.
    from backend.photos.models import Photo, PhotoState

    Photo.objects.filter(state=PhotoState.PENDING).delete()
    shutil.rmtree(MEDIA_ROOT, ignore_errors=True)
    results = {}
    for name in scenarios:
        if name == "postgres":
            redis = start_redis()
            try:
                results[name] = postgres_restart(identities)
            finally:
                redis.terminate()
        elif name == "redis":
            results[name] = redis_stopped(identities)
        elif name == "worker":
            results[name] = worker_killed(identities)
        elif name == "slow":
            results[name] = slow_clients(identities)
    return results


if __name__ == "__main__":
    main()

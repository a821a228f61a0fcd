"""Load: the API under gunicorn with production settings, on PostgreSQL and Redis.

    uv run python bench/load.py [--clients 32] [--seconds 12] [--client python|wrk]
                                 [--reports 200000]

A realistic mix, each scenario alone for a fixed time with N concurrent
keep-alive clients (Python threads, or wrk with `--client wrk`), against
/healthz of the same server in the same run: report creation, report view
(anonymous, and signed in as one of 64 residents), nearby feed, my reports,
the staff queue and the categories; then all of them interleaved (MIX), so
that new reports put kept answers out of date while they are read. Prints
throughput, the ratio to /healthz (the mean of a run first and one last),
p50/p99 latency and errors; then the resident memory of the workers after
100 and 10,000 requests.
"""

import argparse
import http.client
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)

from bench.api_server import make_identities, start_api  # noqa: E402
from bench.setup_db import ensure_reports, setup_django  # noqa: E402

PORT = 8765
# Shares of the interleaved scenario: mostly reading the map and reports, some
# residents checking their own, staff working the queue, a few new reports.
MIX = {
    "nearby feed": 30,
    "report view": 20,
    "report view, signed in": 15,
    "my reports": 12,
    "categories": 8,
    "staff queue": 8,
    "report creation": 7,
}


def worker_rss_mb(master_pid: int) -> float:
    children = subprocess.run(
        ["pgrep", "-P", str(master_pid)], capture_output=True, text=True
    ).stdout.split()
    total = 0
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024 / max(1, len(children))


def cpu_ticks(master_pid: int) -> dict[str, int]:
    """CPU time used so far by each of the API's workers and PostgreSQL's
    backends (user and system clock ticks, from /proc), by process: a
    scenario's difference, divided by its requests, says where a request's
    time goes."""
    workers = subprocess.run(
        ["pgrep", "-P", str(master_pid)], capture_output=True, text=True
    ).stdout.split()
    backends = subprocess.run(
        ["pgrep", "-f", "^postgres: "], capture_output=True, text=True
    ).stdout.split()
    ticks = {}
    for kind, pids in (("api", workers), ("db", backends)):
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except FileNotFoundError:
                continue  # ended meanwhile
            # A process is known by its id and start time (ids are reused).
            ticks[f"{kind} {pid} {fields[19]}"] = int(fields[11]) + int(fields[12])
    return ticks


def cpu_ms_used(before: dict[str, int], after: dict[str, int], kind: str) -> float:
    """Milliseconds of CPU of one kind between two readings; a process that
    ended meanwhile is not counted, one that started counts from zero."""
    used = sum(t - before.get(key, 0) for key, t in after.items() if key.startswith(kind))
    return used * 1000 / os.sysconf("SC_CLK_TCK")


def run_scenario(make_request, clients: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
        mine, bad = [], 0
        while time.perf_counter() < stop_at:
            method, path, body, headers = make_request()
            start = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status >= 400:
                    bad += 1
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
            mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    return {
        "rps": len(latencies) / seconds,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "errors": errors[0],
        "requests": len(latencies),
    }


WRK_THREADS = 2
# Each wrk thread takes every WRK_THREADS-th request, from its own first one.
WRK_LUA = """
local next_one = 0
function setup(thread)
  thread:set("first", threads_set_up or 0)
  threads_set_up = (threads_set_up or 0) + 1
end
function init(args) next_one = first end
request = function()
  local r = requests[next_one % #requests + 1]
  next_one = next_one + wrk_threads
  return wrk.format(r[1], r[2], r[3], r[4])
end
"""


def _lua(value: object) -> str:
    if value is None:
        return "nil"
    if isinstance(value, dict):
        return "{" + ", ".join(f"[{_lua(k)}] = {_lua(v)}" for k, v in value.items()) + "}"
    return json.dumps(value)  # a JSON string is a Lua string


def _milliseconds(text: str) -> float:
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    raise ValueError(f"not a wrk duration: {text}")


def run_with_wrk(make_request, clients: int, seconds: float) -> dict:
    """The same scenario from wrk, a client in C that leaves the server more of
    the two cores than Python threads do. The requests are made beforehand
    (20,000, taken in turn by wrk's threads: a new report's id never repeats)."""
    made = [make_request() for _ in range(20_000)]
    table = ",\n".join("{" + ", ".join(_lua(part) for part in (m, p, h, b)) + "}"
                       for m, p, b, h in made)  # fmt: skip
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(f"wrk_threads = {WRK_THREADS}\nrequests = {{{table}}}\n{WRK_LUA}")
    try:
        out = subprocess.run(
            ["wrk", f"-t{WRK_THREADS}", f"-c{clients}", f"-d{seconds:.0f}s", "--latency",
             "-s", script.name, f"http://127.0.0.1:{PORT}"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    finally:
        os.unlink(script.name)
    percentiles = {
        parts[0]: parts[1] for parts in (line.split() for line in out.splitlines()) if parts
    }
    errors = sum(
        int(n)
        for line in out.splitlines()
        if "Non-2xx" in line or "Socket errors" in line
        for n in re.findall(r"\d+", line.split(":", 1)[1])
    )
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return {
        "rps": rps,
        "p50": _milliseconds(percentiles["50%"]),
        "p99": _milliseconds(percentiles["99%"]),
        "errors": errors,
        "requests": int(rps * seconds),
    }


def print_query_counts(identities, report_id: str) -> None:
    """Queries per request of each endpoint, at page sizes 5 and 50 (in this
    process, through Django's test client, on the same database)."""
    os.environ["BENCH_CERTIFICATE_FILE"] = identities.certificate_file
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    import bench.load_wsgi  # noqa: F401 - the benchmark's token certificate
    from backend.jobs import redis_connection

    settings.ALLOWED_HOSTS = ["*"]
    settings.SECURE_SSL_REDIRECT = False
    settings.REPORTS_PER_HOUR = 1_000_000  # as the server below is run
    # The endpoints' own queries, not the caches' answers.
    settings.PUBLIC_CACHE_SECONDS = 0
    settings.REDIS_URL, settings.JOBS_INLINE = "redis://127.0.0.1:6379/13", False
    redis_connection.cache_clear()  # jobs are queued, as the server queues them
    resident = {"HTTP_AUTHORIZATION": f"Bearer {identities.residents[0]}"}
    staff = {"HTTP_AUTHORIZATION": f"Bearer {identities.staff_key}"}
    endpoints = [
        ("report view", f"/api/v1/reports/{report_id}", {}, False),
        ("nearby feed", "/api/v1/reports?lat=9.9472&lon=106.3372&radius_m=1000", {}, True),
        ("my reports", "/api/v1/me/reports", resident, True),
        ("staff queue", "/api/v1/staff/tickets", staff, True),
        ("categories", "/api/v1/categories", {}, False),
    ]
    client = Client()
    print("queries per request (page size 5 / 50):")
    for label, path, headers, paged in endpoints:
        client.get(path, **headers)  # a first request signs a new resident up: not counted
        counts = []
        for size in (5, 50) if paged else (None,):
            url = f"{path}{'&' if '?' in path else '?'}limit={size}" if size else path
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url, **headers).status_code == 200, url
            counts.append(str(len(captured)))
        print(f"  {label:14s} {' / '.join(counts)}")
    counts = []
    for _first_then_warm in range(2):  # the first one fills the reference data held in memory
        with CaptureQueriesContext(connection) as captured:
            body = {"id": str(uuid.uuid4()), "category": "pothole", "description": "Ổ gà tải thử",
                    "lat": 9.9472, "lon": 106.3372}  # fmt: skip
            created = client.post(
                "/api/v1/reports", json.dumps(body), content_type="application/json", **resident
            )
            assert created.status_code == 201, created.content
        counts.append(len(captured))
    first, warm = counts
    print(f"  {'report creation':14s} {warm} with BEGIN and COMMIT (first in a process: {first})")


def forget_earlier_runs() -> int:
    """Delete the reports the benchmark's residents made in earlier runs, so
    that every run starts from the same database: they pile up at one spot,
    where each new report's duplicate search and screening read them (about a
    thousand more per run made creation measurably slower run after run)."""
    from backend.reports.models import Follower, Report, ReportEvent
    from bench.setup_db import vacuum
    from notifications.models import Delivery, Notification

    made = Report.objects.filter(reporter__username__startswith="firebase:load-resident-")
    count, _ = made.delete()
    vacuum(Report, ReportEvent, Follower, Notification, Delivery)
    return count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=12)
    parser.add_argument(
        "--client",
        choices=["python", "wrk"],
        default="python",
        help="python: threads of this process; wrk: Debian's wrk, lighter on the cores",
    )
    parser.add_argument("--reports", type=int, default=200_000)
    args = parser.parse_args()
    setup_django()
    ensure_reports(args.reports)  # a fresh benchmark database has none

    from backend.reports.models import Report

    print(f"rows of earlier runs deleted: {forget_earlier_runs():,}")
    identities = make_identities()
    residents, staff_key = identities.residents, identities.staff_key
    report_ids = [
        str(i)
        for i in Report.objects.filter(visibility="public").values_list("id", flat=True)[:500]
    ]
    print_query_counts(identities, report_ids[0])
    # Three, not gunicorn.conf.py's default of 2 x cores + 1 (five here): with the
    # clients on the same two cores, five measured slower (57 creations/s, not 74).
    workers = 3
    server = start_api(PORT, identities, workers=workers)
    try:

        def resident_headers() -> dict:
            return {
                "Authorization": f"Bearer {random.choice(residents)}",
                "Content-Type": "application/json",
            }

        def create():
            lat = 9.9472 + random.uniform(-0.02, 0.02)
            lon = 106.3372 + random.uniform(-0.02, 0.02)
            body = json.dumps(
                {
                    "id": str(uuid.uuid4()),
                    "category": "pothole",
                    "description": "Ổ gà tải thử",
                    "lat": lat,
                    "lon": lon,
                }
            )
            return "POST", "/api/v1/reports", body, resident_headers()

        scenarios = [
            ("trivial: GET /healthz", lambda: ("GET", "/healthz", None, {})),
            ("report creation", create),
            (
                "report view",
                lambda: ("GET", f"/api/v1/reports/{random.choice(report_ids)}", None, {}),
            ),
            (
                "report view, signed in",
                lambda: (
                    "GET",
                    f"/api/v1/reports/{random.choice(report_ids)}",
                    None,
                    resident_headers(),
                ),
            ),
            (
                "nearby feed",
                lambda: (
                    "GET",
                    "/api/v1/reports?lat=9.9472&lon=106.3372&radius_m=1000&limit=20",
                    None,
                    {},
                ),
            ),
            (
                "my reports",
                lambda: ("GET", "/api/v1/me/reports?limit=20", None, resident_headers()),
            ),
            (
                "staff queue",
                lambda: (
                    "GET",
                    "/api/v1/staff/tickets?limit=20",
                    None,
                    {"Authorization": f"Bearer {staff_key}"},
                ),
            ),
            ("categories", lambda: ("GET", "/api/v1/categories", None, {})),
        ]
        by_label = dict(scenarios)
        mix = random.Random(7).choices(list(MIX), weights=list(MIX.values()), k=10_000)
        scenarios.append(("mixed", lambda: by_label[random.choice(mix)]()))
        run = run_with_wrk if args.client == "wrk" else run_scenario
        run_scenario(scenarios[0][1], 4, 2)  # warm up
        print(
            f"{args.clients} concurrent clients ({args.client}), {args.seconds:.0f} s each; "
            f"{workers} gunicorn workers, {os.cpu_count()} cores shared with the clients"
        )

        # The trivial endpoint first and again last: this machine's speed drifts
        # by a fifth over minutes, and every ratio is to their mean.
        def measured(make) -> dict:
            before = cpu_ticks(server.pid)
            result = run(make, args.clients, args.seconds)
            after, done = cpu_ticks(server.pid), max(1, result["requests"])
            result["app_ms"] = cpu_ms_used(before, after, "api") / done
            result["db_ms"] = cpu_ms_used(before, after, "db") / done
            return result

        results = [(label, measured(make)) for label, make in scenarios]
        results.append(("trivial again, last", measured(scenarios[0][1])))
        baseline = (results[0][1]["rps"] + results[-1][1]["rps"]) / 2
        for label, result in results:
            print(
                f"{label:24s} {result['rps']:8.0f} req/s  "
                f"{result['rps'] / baseline:5.0%} of trivial  "
                f"p50 {result['p50']:6.1f} ms  p99 {result['p99']:6.1f} ms  "
                f"errors {result['errors']}  CPU per request: API {result['app_ms']:.2f} ms, "
                f"PostgreSQL {result['db_ms']:.2f} ms"
            )
        rss_100 = None
        sent = 0
        for target in (100, 10_000):
            while sent < target:
                batch = min(500, target - sent)
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
                for _ in range(batch):
                    method, path, body, headers = random.choice(scenarios[2:-1])[1]()
                    conn.request(method, path, body=body, headers=headers)
                    conn.getresponse().read()
                sent += batch
            rss = worker_rss_mb(server.pid)
            rss_100 = rss_100 or rss
            print(f"worker resident memory after {sent:>6,} mixed requests: {rss:6.1f} MB")
        print(f"growth from 100 to 10,000 requests: {(rss / rss_100 - 1):+.1%} (goal within 10%)")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()

"""Where one request's time goes: the production WSGI app called in this process.

    uv run python bench/profile_request.py [--requests 400] [--profile ENDPOINT]

For each endpoint of bench/load.py, the CPU time of this process per request
(`time.process_time`: the Python work, not the database's), the best of five
rounds of `--requests`/5 requests after a warm-up, against /healthz measured the same way.
With `--profile creation` (or `queue`, `mine`, `view`), cProfile's top
functions by cumulative time for that endpoint, to find what to cut.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)

from bench.api_server import make_identities  # noqa: E402
from bench.setup_db import ensure_reports, setup_django  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--profile", choices=["creation", "queue", "mine", "view"])
    parser.add_argument("--only", help="measure this endpoint alone (for a sampling profiler)")
    args = parser.parse_args()
    os.environ["REDIS_URL"] = "redis://127.0.0.1:6379/13"
    os.environ["REPORTS_PER_HOUR"] = "1000000"
    setup_django(keep_redis=True)
    ensure_reports(200_000)
    identities = make_identities()
    os.environ["BENCH_CERTIFICATE_FILE"] = identities.certificate_file
    from django.conf import settings

    from backend.reports.models import Report
    from bench.load import forget_earlier_runs
    from bench.load_wsgi import application

    settings.ALLOWED_HOSTS = ["*"]
    forget_earlier_runs()
    report_ids = [
        str(i)
        for i in Report.objects.filter(visibility="public").values_list("id", flat=True)[:500]
    ]
    resident = f"Bearer {identities.residents[0]}"
    staff = f"Bearer {identities.staff_key}"

    def call(method: str, path: str, body: bytes = b"", token: str = "") -> int:
        route, _, query = path.partition("?")
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": route,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "HTTP_HOST": "127.0.0.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": "application/json",
            "wsgi.errors": sys.stderr,
        }
        if token:
            environ["HTTP_AUTHORIZATION"] = token
        status: list[str] = []
        response = application(environ, lambda s, _headers: status.append(s))
        b"".join(response)
        response.close()
        return int(status[0].split()[0])

    def creation() -> int:
        body = {
            "id": str(uuid.uuid4()),
            "category": "pothole",
            "description": "Ổ gà tải thử",
            "lat": 9.9472 + random.uniform(-0.01, 0.01),
            "lon": 106.3372 + random.uniform(-0.01, 0.01),
        }
        return call("POST", "/api/v1/reports", json.dumps(body).encode(), resident)

    endpoints = {
        "healthz": lambda: call("GET", "/healthz"),
        "creation": creation,
        "queue": lambda: call("GET", "/api/v1/staff/tickets?limit=20", token=staff),
        "mine": lambda: call("GET", "/api/v1/me/reports?limit=20", token=resident),
        "view": lambda: call("GET", f"/api/v1/reports/{random.choice(report_ids)}", token=resident),
    }
    if args.profile:
        request = endpoints[args.profile]
        for _ in range(50):
            request()
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        for _ in range(args.requests):
            request()
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(60)
        print(out.getvalue())
        return
    print(
        f"CPU of this process per request: the best of 5 rounds of {args.requests // 5}"
        " (the least disturbed by whatever else the machine runs), after 50 to warm up:"
    )
    for name, request in endpoints.items():
        if args.only and name != args.only:
            continue
        for _ in range(50):
            assert request() in (200, 201), name
        rounds = []
        for _round in range(5):
            start = time.process_time()
            for _ in range(args.requests // 5):
                request()
            rounds.append((time.process_time() - start) / (args.requests // 5) * 1000)
        print(f"  {name:10s} {min(rounds):6.2f} ms  (median round {sorted(rounds)[2]:.2f})")
    forget_earlier_runs()


if __name__ == "__main__":
    main()

"""The staff queue on 200,000 reports in PostgreSQL.

    uv run python bench/staff_queue.py [--reports 200000]

Each case goes through the real API (auth, scope, filters, serialisation) with
Django's test client, 30 times; prints the median and p90 latency, and the
query plan of the page's main query with the indexes it uses (and whether any
sequential scan of the reports table is left). A trivial endpoint of the same
API (/healthz) is measured alongside as the baseline.
"""

import sys
from pathlib import Path

# Modules are looked up from the repository root (bench.setup_db), not bench/.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

from bench.setup_db import ensure_reports, setup_django, vacuum  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    setup_django()
    ensure_reports(args.reports)
    from backend.reports.models import Report as _Report

    vacuum(_Report)  # fresh statistics: this machine's PostgreSQL runs without autovacuum

    from django.db import connection
    from django.test import Client, RequestFactory
    from django.test.utils import CaptureQueriesContext

    from backend.accounts.models import Role, User
    from backend.accounts.tokens import sign_in
    from backend.areas.models import Area, Unit
    from backend.reports.models import Report

    def staff_client(username: str, role: str, unit_code: str | None, area_code: str) -> Client:
        user, _ = User.objects.get_or_create(username=username, defaults={"role": role})
        user.role = role
        user.unit = Unit.objects.filter(code=unit_code).first()
        user.scope_area = Area.objects.active().get(code=area_code)
        user.set_password("bench-password")
        user.save()
        key, _, _ = sign_in(RequestFactory().post("/"), username, "bench-password")
        return Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    unit_staff = staff_client("bench-staff", Role.STAFF, "urban-842", "842")
    manager = staff_client("bench-manager", Role.AREA_MANAGER, None, "842")
    official = staff_client("bench-official", Role.OFFICIAL, None, "84")
    print(
        f"reports in the database: {Report.objects.count():,}; "
        f"in unit urban-842: {Report.objects.filter(unit__code='urban-842').count():,}"
    )

    def deep_cursor(client: Client, url: str, pages: int) -> str:
        cursor = None
        for _ in range(pages):
            body = client.get(url + (f"&cursor={cursor}" if cursor else "")).json()
            cursor = body["next_cursor"]
        return cursor

    open_tabs = "status=submitted&status=acknowledged&status=in_progress&status=waiting"
    cases = [
        ("unit: first page, due first", unit_staff, "/api/v1/staff/tickets?limit=20"),
        ("unit: open tabs, due first", unit_staff, f"/api/v1/staff/tickets?{open_tabs}&limit=20"),
        ("unit: newest first", unit_staff, "/api/v1/staff/tickets?sort=newest&limit=20"),
        ("unit: overdue", unit_staff, "/api/v1/staff/tickets?overdue=true&limit=20"),
        (
            "unit: submitted, potholes",
            unit_staff,
            "/api/v1/staff/tickets?status=submitted&category=pothole&limit=20",
        ),
        (
            "unit: text search",
            unit_staff,
            "/api/v1/staff/tickets?q=%C4%91%C6%B0%E1%BB%9Dng%2012&limit=20",
        ),
        (
            "area manager: open, due first",
            manager,
            f"/api/v1/staff/tickets?{open_tabs}&limit=20",
        ),
        ("area manager: newest first", manager, "/api/v1/staff/tickets?sort=newest&limit=20"),
        ("official: province, newest", official, "/api/v1/staff/tickets?sort=newest&limit=20"),
        ("unit: tab counts", unit_staff, "/api/v1/staff/tickets/counts"),
    ]
    deep = []
    for label, client, url in cases[:3] + cases[6:8]:
        if "counts" in url:
            continue
        cursor = deep_cursor(client, url, 50)
        if cursor:
            deep.append((f"{label}, page 51 (cursor)", client, f"{url}&cursor={cursor}"))
    cases += deep
    baseline = ("baseline: /healthz", unit_staff, "/healthz")

    def measure(client: Client, url: str) -> tuple[float, float, list[str]]:
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
            assert response.status_code == 200, response.content
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        main = [q["sql"] for q in queries.captured_queries if "reports_report" in q["sql"]]
        return statistics.median(times), sorted(times)[int(len(times) * 0.9)], main

    base_median, _, _ = measure(baseline[1], baseline[2])
    print(f"{'case':58s} {'median':>8s} {'p90':>8s}  indexes used / seq scan of reports")
    print(f"{baseline[0]:58s} {base_median * 1000:7.2f}ms")
    worst = 0.0
    any_seq = False
    for label, client, url in cases:
        median, p90, sqls = measure(client, url)
        worst = max(worst, median)
        indexes, seq = set(), False
        with connection.cursor() as cursor:
            for sql in sqls:
                cursor.execute("EXPLAIN " + sql)
                plan = "\n".join(row[0] for row in cursor.fetchall())
                indexes |= set(re.findall(r"(?:using|Index Scan on) (\w+)", plan))
                seq |= bool(re.search(r"Seq Scan on reports_report", plan))
        any_seq |= seq
        print(
            f"{label:58s} {median * 1000:7.2f}ms {p90 * 1000:7.2f}ms  "
            f"{', '.join(sorted(indexes)) or '-'}{'  SEQ SCAN' if seq else ''}"
        )
    print(
        f"slowest median: {worst * 1000:.2f} ms (goal < 20 ms); "
        f"sequential scans of the reports table: {'yes' if any_seq else 'none'}"
    )


if __name__ == "__main__":
    main()

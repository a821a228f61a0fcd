"""The staff console's pages on 200,000 reports in PostgreSQL.

    uv run python bench/console.py [--reports 200000] [--runs 300]

Each page is asked for through the real stack (session, CSRF middleware,
scope, templates) with Django's test client, signed in as a member of staff of
the busiest unit; prints the median and p99 server time, the page's size and
its gzip size (what a phone transfers once the CSS is cached), and the number
of queries. /healthz is measured alongside as the baseline.
"""

import sys
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse  # noqa: E402
import gzip  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

from bench.setup_db import ensure_reports, setup_django, vacuum  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=200_000)
    # At least 300: the p99 of 100 runs is their slowest, one pause of the machine.
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    setup_django()
    ensure_reports(args.reports)
    from backend.reports.models import Report

    vacuum(Report)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from backend.accounts.models import Role, User
    from backend.areas.models import Area, Unit

    user, _ = User.objects.get_or_create(username="bench-console", defaults={"role": Role.STAFF})
    user.role = Role.STAFF
    user.unit = Unit.objects.get(code="urban-842")
    user.scope_area = Area.objects.active().get(code="842")
    user.save()
    client = Client()
    client.force_login(user)
    ticket = Report.objects.filter(unit=user.unit).exclude(visibility="held").latest("created_at")
    in_unit = Report.objects.filter(unit=user.unit).count()
    print(f"reports: {Report.objects.count():,}; in the unit: {in_unit:,}")

    cases = [
        ("baseline: /healthz", "/healthz"),
        ("queue, due first", "/console/"),
        ("queue, newest first", "/console/?sort=newest"),
        ("queue, submitted tab", "/console/?status=submitted"),
        ("queue, text search", "/console/?q=%C4%91%C6%B0%E1%BB%9Dng%2012"),
        ("ticket page", f"/console/tickets/{ticket.id}/"),
    ]
    print(f"{'page':28s} {'median':>8s} {'p99':>8s} {'bytes':>8s} {'gzip':>7s} {'queries':>7s}")
    for label, url in cases:
        for _ in range(3):  # warm: templates compiled, the query plans cached
            client.get(url)
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
            assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as queries:
            body = client.get(url).content
        times.sort()
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        print(
            f"{label:28s} {statistics.median(times) * 1000:7.2f}ms {p99 * 1000:7.2f}ms "
            f"{len(body):8,d} {len(gzip.compress(body)):7,d} {len(queries.captured_queries):7d}"
        )
    css = Path(__file__).resolve().parent.parent / "console" / "static" / "console" / "console.css"
    css_gzip = len(gzip.compress(css.read_bytes()))
    print(f"console.css (cached after the first page): {css_gzip:,} bytes gzipped")


if __name__ == "__main__":
    main()

"""Statistics on 1,000,000 reports in PostgreSQL, against naive versions.

    uv run python bench/stats.py [--reports 1000000]

Over the whole two years of the seeded data (clustered around the district
towns, several categories, a realistic status mix): the performance table
by district, the weekly series by category, and Gi* hotspots at resolution 8,
each through the project's functions (the database aggregates) and naively
(the rows loaded into Python), in the same run. Then the CSV export's peak
memory for 100,000 and for 1,000,000 rows, each in a fresh process.
"""

import argparse
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)

from bench.setup_db import ensure_reports, setup_django  # noqa: E402

CHILD = """
import sys
sys.path[0] = {root!r}
from bench.setup_db import setup_django
setup_django()
from backend.reports.models import Report
from backend.statistics.figures import export_rows
def high_water_kb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
ids = Report.objects.order_by("created_at", "id").values_list("created_at", flat=True)
rows = Report.objects.filter(created_at__lte=ids[{limit} - 1])
before = high_water_kb()
size = sum(len(line) for line in export_rows(rows))
print(before, high_water_kb(), size)
"""


def timed(fn, runs: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=1_000_000)
    args = parser.parse_args()
    setup_django()
    ensure_reports(args.reports)

    import h3
    from django.db.models import Count
    from django.utils import timezone

    from backend.areas.hierarchy import area_tree, statistics_level
    from backend.reports.models import Report
    from backend.statistics import figures, hotspots

    everything = Report.objects.filter(created_at__gte=timezone.now() - timedelta(days=2 * 366))
    total = everything.count()
    print(f"reports: {total:,} over two years")

    level = statistics_level(None, None)  # the districts of the seeded layout
    tree = area_tree()

    def at_level(area_id):
        return next((a.code for a in tree.chain(area_id) if a.level == level.code), None)

    def naive_performance():
        rows = everything.values_list(
            "area_id",
            "status",
            "created_at",
            "acknowledged_at",
            "resolved_at",
            "due_at",
            "rating",
        )
        groups = defaultdict(list)
        for row in rows.iterator(chunk_size=10_000):
            groups[at_level(row[0])].append(row)
        out = {}
        for code, items in groups.items():
            acks = sorted((r[3] - r[2]).total_seconds() for r in items if r[3])
            resolves = sorted((r[4] - r[2]).total_seconds() for r in items if r[4])
            out[code] = (
                len(items),
                statistics.median(acks) if acks else None,
                statistics.median(resolves) if resolves else None,
            )
        return out

    def naive_series():
        buckets = Counter()
        for created, category in everything.values_list("created_at", "category__code").iterator(
            chunk_size=10_000
        ):
            local = timezone.localtime(created)
            monday = (local - timedelta(days=local.weekday())).date()
            buckets[(monday, category)] += 1
        return buckets

    def naive_hotspots():
        counts = Counter()
        for lat, lon in everything.values_list("lat", "lon").iterator(chunk_size=10_000):
            counts[h3.str_to_int(h3.latlng_to_cell(lat, lon, 8))] += 1
        return hotspots.hotspots(dict(counts), 8)

    def ours_hotspots():
        counts = dict(everything.values_list("h3_r8").annotate(n=Count("id")).order_by())
        return hotspots.hotspots(counts, 8)

    hotspots.service_area_cells(8)  # the service area's cells are cached per process
    cases = [
        (
            "performance table by district",
            lambda: figures.performance(everything, "area", level),
            naive_performance,
        ),
        (
            "weekly series by category",
            lambda: figures.series(everything, "week", "category"),
            naive_series,
        ),
        ("Gi* hotspots, resolution 8", ours_hotspots, naive_hotspots),
    ]
    print(f"{'':34s} {'ours':>9s} {'naive':>9s} {'ratio':>7s}")
    for label, ours, naive in cases:
        ours_s, _ = timed(ours)
        naive_s, _ = timed(naive, runs=1)
        print(f"{label:34s} {ours_s:8.3f}s {naive_s:8.3f}s {naive_s / ours_s:6.1f}x")

    for limit in (100_000, min(1_000_000, total)):
        output = subprocess.run(
            [sys.executable, "-c", CHILD.format(root=str(ROOT), limit=limit)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        before, peak, size = (int(v) for v in output[-3:])
        print(
            f"CSV export of {limit:>9,} rows: {size / 1e6:6.1f} MB of CSV, "
            f"peak RSS {peak / 1024:5.0f} MB "
            f"(before exporting {before / 1024:.0f} MB)"
        )


if __name__ == "__main__":
    main()

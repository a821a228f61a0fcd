"""Routing throughput: the project's router against a naive loop, in one run.

    uv run python bench/routing.py [--points 100000]

Builds the router from the repository's Trà Vinh boundary files (no database
needed), then routes random points inside the province's bounding box:
- bulk, as re-routing and statistics do (AreaIndex.district_positions / commune_positions);
- one point at a time, the path a request takes (AreaIndex.place);
- naively: each point against each unprepared polygon, in Python.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from backend.areas.models import Area  # noqa: E402
from backend.areas.routing import AreaIndex  # noqa: E402

GEO = Path(os.environ.get("SHARED_DATA_DIR", ROOT.parent / "shared" / "data")) / "geo"


def load_index() -> tuple[AreaIndex, list, list]:
    districts, communes = [], []
    for i, f in enumerate(json.loads((GEO / "tra_vinh_districts.geojson").read_text())["features"]):
        p = f["properties"]
        ref = Area(id=1000 + i, code=p["code"], name=p["name"], level="district", parent_id=1)
        districts.append((ref, shapely.geometry.shape(f["geometry"])))
    by_code = {ref.code: ref.id for ref, _ in districts}
    for i, f in enumerate(json.loads((GEO / "tra_vinh_communes.geojson").read_text())["features"]):
        p = f["properties"]
        ref = Area(
            id=5000 + i,
            code=p.get("code") or "",
            name=p["name"],
            level="commune",
            parent_id=by_code.get(p["district_code"]),
        )
        communes.append((ref, shapely.geometry.shape(f["geometry"])))
    province = Area(id=1, code="84", name="Tỉnh Trà Vinh", level="province", parent_id=None)
    return AreaIndex(districts, communes, {1: province}, 300.0), districts, communes


def naive(points_lon, points_lat, polygons) -> np.ndarray:
    """Each point against each unprepared polygon; the first hit in order wins, as
    in the router (it must test them all to give a border point one answer)."""
    out = np.full(len(points_lon), -1)
    for i, (x, y) in enumerate(zip(points_lon, points_lat, strict=True)):
        point = shapely.Point(x, y)
        hits = [j for j, polygon in enumerate(polygons) if polygon.intersects(point)]
        if hits:
            out[i] = hits[0]
    return out


def best_of(runs: int, fn) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--naive-points", type=int, default=20_000)
    args = parser.parse_args()

    start = time.perf_counter()
    index, districts, communes = load_index()
    build_s = time.perf_counter() - start

    rng = np.random.default_rng(2026)
    union = shapely.union_all([g for _, g in districts])
    minx, miny, maxx, maxy = union.bounds
    lons = rng.uniform(minx, maxx, args.points)
    lats = rng.uniform(miny, maxy, args.points)
    n = args.points

    bulk_d = best_of(3, lambda: index.district_positions(lats, lons))
    positions = index.district_positions(lats, lons)
    bulk_c = best_of(3, lambda: index.commune_positions(lats, lons, positions))

    k = args.naive_points
    naive_answer = naive(lons[:k], lats[:k], list(index.districts.geometries))
    inside = naive_answer != -1
    agree = (naive_answer[inside] == positions[:k][inside]).mean()
    naive_d = best_of(1, lambda: naive(lons[:k], lats[:k], [g for _, g in districts]))
    naive_c = best_of(1, lambda: naive(lons[:k], lats[:k], [g for _, g in communes]))

    single_n = 20_000
    per_point = []
    for x, y in zip(lons[:single_n], lats[:single_n], strict=True):
        t0 = time.perf_counter()
        index.place(y, x)
        per_point.append(time.perf_counter() - t0)
    inside_times = [t for t, p in zip(per_point, positions[:single_n], strict=True) if p != -1]

    rate = lambda count, secs: count / secs  # noqa: E731
    inside_share = float((positions != -1).mean())
    print(
        f"index build: {build_s * 1000:.0f} ms "
        f"({len(districts)} districts, {len(communes)} communes)"
    )
    print(
        f"points: {n:,} random in the province's bounding box "
        f"({inside_share:.0%} routed to a district)"
    )
    print(f"districts, bulk router : {rate(n, bulk_d):>12,.0f} points/s")
    print(f"districts, naive loop  : {rate(k, naive_d):>12,.0f} points/s  (on {k:,} points)")
    print(f"router and naive loop agree on {agree:.2%} of the points inside a district")
    print(f"districts, ratio       : {rate(n, bulk_d) / rate(k, naive_d):>12.1f} x")
    print(f"communes,  bulk router : {rate(n, bulk_c):>12,.0f} points/s  (given the districts)")
    print(f"communes,  naive loop  : {rate(k, naive_c):>12,.0f} points/s")
    print(f"communes,  ratio       : {rate(n, bulk_c) / rate(k, naive_c):>12.1f} x")
    print(
        f"one point (request path, district + commune + nearest fallback): "
        f"median {statistics.median(per_point) * 1e6:.1f} µs, "
        f"p99 {np.percentile(per_point, 99) * 1e6:.1f} µs; "
        f"inside only: median {statistics.median(inside_times) * 1e6:.1f} µs, "
        f"p99 {np.percentile(inside_times, 99) * 1e6:.1f} µs"
    )


if __name__ == "__main__":
    main()

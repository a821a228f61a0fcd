"""Routing throughput on both layouts: the project's router against a naive loop, in one run.

    uv run python bench/routing.py [--points 1000000] [--naive-points 5000]

For each edition (Tỉnh Vĩnh Long since 2025: province and 124 communes and
wards; Trà Vinh before: province, 9 districts, 104 communes), builds the router
from the shared boundary files (no database), then routes random points inside
the bounding box of the deciding layer:
- bulk, as re-routing and statistics do (AreaIndex.positions, place_many);
- one point at a time, the path a request takes (AreaIndex.place);
- naively: each point against each unprepared polygon of the deciding layer, in Python.
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
import shapely.geometry

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from backend.areas.loading import read_edition  # noqa: E402
from backend.areas.models import Area  # noqa: E402
from backend.areas.routing import AreaIndex  # noqa: E402
from backend.shared_data import shared_file  # noqa: E402


def areas_of(edition: str) -> list[tuple[Area, shapely.Geometry]]:
    """The edition's areas as the router takes them, numbered in memory."""
    spec = read_edition(edition)
    found: list[tuple[Area, shapely.Geometry]] = []
    parents: dict[str, int] = {}
    next_id = 1
    levels = []
    for level in spec.levels:
        features = []
        if level.file:
            path = shared_file(level.file, spec.origin)
            features = json.loads(path.read_text(encoding="utf-8"))["features"]
        levels.append((level, features))
    for depth, (level, features) in enumerate(levels):
        if not features:  # a level only its children name (the pre-2025 province)
            child, child_features = levels[depth + 1]
            codes = {str(f["properties"][child.parent_code_property]) for f in child_features}
            features = [
                {"properties": {"code": c, "name": c}, "geometry": None} for c in sorted(codes)
            ]
        mine: dict[str, int] = {}
        for feature in features:
            props = feature["properties"]
            parent = parents.get(str(props.get(level.parent_code_property or "") or ""))
            area = Area(
                id=next_id,
                code=str(props.get("code") or ""),
                name=props["name"],
                level=level.code,
                parent_id=parent,
                edition=spec.edition,
            )
            geometry = (
                shapely.geometry.shape(feature["geometry"])
                if feature["geometry"]
                else shapely.Polygon()
            )
            found.append((area, geometry))
            mine[area.code] = next_id
            next_id += 1
        parents = mine
    return found


def naive(lons: np.ndarray, lats: np.ndarray, polygons: list) -> np.ndarray:
    """Each point against each unprepared polygon; the first hit in code order wins,
    as in the router (it must test them all to give a border point one answer)."""
    out = np.full(len(lons), -1)
    for i, (x, y) in enumerate(zip(lons, lats, strict=True)):
        point = shapely.Point(x, y)
        for j, polygon in enumerate(polygons):
            if polygon.intersects(point):
                out[i] = j
                break
    return out


def best_of(runs: int, fn) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def bench(edition: str, n: int, k: int) -> None:
    areas = areas_of(edition)
    builds = []
    for _ in range(3):
        start = time.perf_counter()
        index = AreaIndex(areas, nearest_max_m=300.0)
        builds.append(time.perf_counter() - start)
    layer = index.layer
    vertices = int(sum(shapely.get_num_coordinates(g) for g in layer.geometries))
    rng = np.random.default_rng(2026)
    minx, miny = layer.bounds[:, 0].min(), layer.bounds[:, 1].min()
    maxx, maxy = layer.bounds[:, 2].max(), layer.bounds[:, 3].max()
    lons, lats = rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)

    bulk = best_of(3, lambda: index.positions(lats, lons))
    positions = index.positions(lats, lons)
    chains = best_of(1, lambda: index.place_many(lats, lons))
    polygons = [shapely.from_wkb(shapely.to_wkb(g)) for g in layer.geometries]  # unprepared
    naive_s = best_of(1, lambda: naive(lons[:k], lats[:k], polygons))
    answer = naive(lons[:k], lats[:k], polygons)
    inside = answer != -1
    agree = float((answer[inside] == positions[:k][inside]).mean())

    per_point = []
    for x, y in zip(lons[:20_000], lats[:20_000], strict=True):
        t0 = time.perf_counter()
        index.place(y, x)
        per_point.append(time.perf_counter() - t0)
    inside_times = [t for t, p in zip(per_point, positions[:20_000], strict=True) if p != -1]

    levels = sorted({a.level for a, _ in areas}, key=[a.level for a, _ in areas].index)
    print(f"== {edition}: levels {' > '.join(levels)}; deciding layer: "
          f"{len(layer.refs)} {layer.refs[0].level} areas, {vertices:,} vertices")  # fmt: skip
    print(f"index build: median {statistics.median(builds) * 1000:.0f} ms "
          f"(first {builds[0] * 1000:.0f} ms)")  # fmt: skip
    print(f"points: {n:,} random in the bounding box ({(positions != -1).mean():.0%} inside)")
    bulk_rate, naive_rate = n / bulk, k / naive_s
    print(f"bulk router      : {bulk_rate:>12,.0f} points/s")
    print(f"bulk, full chain : {n / chains:>12,.0f} points/s (place_many, every level)")
    print(f"naive loop       : {naive_rate:>12,.0f} points/s (on {k:,} points)")
    print(f"ratio            : {bulk_rate / naive_rate:>12.1f} x")
    print(f"router and naive loop agree on {agree:.2%} of the points inside an area")
    print(
        f"one point (request path, the whole chain, nearest fallback): "
        f"median {statistics.median(per_point) * 1e6:.1f} µs, "
        f"p99 {np.percentile(per_point, 99) * 1e6:.1f} µs; "
        f"inside only: median {statistics.median(inside_times) * 1e6:.1f} µs, "
        f"p99 {np.percentile(inside_times, 99) * 1e6:.1f} µs"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--naive-points", type=int, default=5_000)
    args = parser.parse_args()
    for edition in ("vn-2025", "pre-2025"):
        bench(edition, args.points, args.naive_points)


if __name__ == "__main__":
    main()

"""Which district (and commune) a point lies in, and which unit gets a report there.

The spatial index and the routing rules are reference data
(`backend.reference_data`): built once per process, rebuilt when the tables
change.

How a point is placed:
1. District polygons decide. A point inside (or on the edge of) several gets the
   one with the lowest code, so a point on a shared border has one answer.
2. A point inside none, but within ROUTING_NEAREST_DISTRICT_MAX_M of one (a river
   bank, a pier, GPS error), goes to the nearest; farther out it is outside.
3. The commune is the one containing the point among the chosen district's
   communes only: commune polygons come from another survey and spill over
   district edges, so they are a hint, never the decider.
"""

import math
from dataclasses import dataclass

import numpy as np
import shapely
from django.conf import settings

from backend.areas.models import Area, Level, RoutingRule, Unit
from backend.errors import Unprocessable
from backend.reference_data import Snapshot

EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True)
class Placement:
    """Where a point lies. Its areas are the index's rows, without their boundary
    (deferred, never loaded on the way): a report takes them as its district and
    commune with no query."""

    district: Area
    commune: Area | None
    province: Area | None
    distance_outside_m: float  # 0 when the point is inside the district polygon

    def area_chain_ids(self) -> list[int]:
        """Smallest area first: the order routing rules are looked up in."""
        chain = [self.commune, self.district, self.province]
        return [area.id for area in chain if area is not None]


class _Layer:
    """Polygons of one level, prepared for point-in-polygon tests."""

    def __init__(self, refs: list[Area], geometries: list[shapely.Geometry]) -> None:
        order = sorted(range(len(refs)), key=lambda i: (refs[i].code or "~", refs[i].id))
        self.refs = [refs[i] for i in order]
        self.geometries = np.array([geometries[i] for i in order], dtype=object)
        shapely.prepare(self.geometries)
        self.bounds = shapely.bounds(self.geometries) if len(order) else np.empty((0, 4))
        # Plain tuples: the one-point path reads them in Python, where numpy rows are slow.
        self._boxes = [
            (i, float(box[0]), float(box[1]), float(box[2]), float(box[3]))
            for i, box in enumerate(self.bounds)
        ]

    def first_containing(self, lon: float, lat: float) -> int:
        """The first polygon (in code order) containing or touching the point, or -1."""
        for i, minx, miny, maxx, maxy in self._boxes:
            if (
                minx <= lon <= maxx
                and miny <= lat <= maxy
                and shapely.intersects_xy(self.geometries[i], lon, lat)
            ):
                return i
        return -1

    def assign(self, lons: np.ndarray, lats: np.ndarray, result: np.ndarray, i: int) -> None:
        """Give polygon i to the still unassigned points inside it (bulk path)."""
        minx, miny, maxx, maxy = self.bounds[i]
        todo = np.flatnonzero(
            (result == -1) & (lons >= minx) & (lons <= maxx) & (lats >= miny) & (lats <= maxy)
        )
        if len(todo):
            inside = shapely.intersects_xy(self.geometries[i], lons[todo], lats[todo])
            result[todo[inside]] = i


MIXED = -2  # a grid cell that needs the exact test


class _CellGrid:
    """A raster over the service area that answers most points without a polygon test.

    Each cell lies wholly inside one district (its answer), wholly beyond reach of
    every district (outside), or is mixed: it holds an edge, and points in it take
    the exact path. Only cells strictly inside a district are answered from the
    grid, so a point on a border always gets the exact (lowest-code) answer.
    """

    def __init__(
        self,
        districts: _Layer,
        near_zone: shapely.Geometry,
        metres_per_lon: float,
        metres_per_lat: float,
        cell_m: float = 250.0,
        max_cells_per_side: int = 1024,
    ) -> None:
        minx, miny, maxx, maxy = shapely.bounds(near_zone)
        self.x0, self.y0 = minx / metres_per_lon, miny / metres_per_lat
        x1, y1 = maxx / metres_per_lon, maxy / metres_per_lat
        self.nx = int(min(max_cells_per_side, max(1, math.ceil((maxx - minx) / cell_m))))
        self.ny = int(min(max_cells_per_side, max(1, math.ceil((maxy - miny) / cell_m))))
        self.dx = (x1 - self.x0) / self.nx
        self.dy = (y1 - self.y0) / self.ny
        grid_cols, grid_rows = np.meshgrid(np.arange(self.nx), np.arange(self.ny))
        cols, rows = grid_cols.ravel(), grid_rows.ravel()
        boxes = shapely.box(
            self.x0 + cols * self.dx,
            self.y0 + rows * self.dy,
            self.x0 + (cols + 1) * self.dx,
            self.y0 + (rows + 1) * self.dy,
        )
        metric_boxes = shapely.box(
            (self.x0 + cols * self.dx) * metres_per_lon,
            (self.y0 + rows * self.dy) * metres_per_lat,
            (self.x0 + (cols + 1) * self.dx) * metres_per_lon,
            (self.y0 + (rows + 1) * self.dy) * metres_per_lat,
        )
        cells = np.where(shapely.intersects(near_zone, metric_boxes), MIXED, -1).astype(np.int64)
        for i, geometry in enumerate(districts.geometries):
            cells[shapely.contains_properly(geometry, boxes)] = i
        self.cells = cells.reshape(self.ny, self.nx)
        self._cell_list = cells.tolist()

    def lookup(self, lon: float, lat: float) -> int:
        col = math.floor((lon - self.x0) / self.dx)
        row = math.floor((lat - self.y0) / self.dy)
        if 0 <= col < self.nx and 0 <= row < self.ny:
            return self._cell_list[row * self.nx + col]
        return -1

    def lookup_many(self, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
        cols = np.floor((lons - self.x0) / self.dx).astype(np.int64)
        rows = np.floor((lats - self.y0) / self.dy).astype(np.int64)
        inside = (cols >= 0) & (cols < self.nx) & (rows >= 0) & (rows < self.ny)
        result = np.full(len(lons), -1, dtype=np.int64)
        result[inside] = self.cells[rows[inside], cols[inside]]
        return result


class AreaIndex:
    def __init__(
        self,
        districts: list[tuple[Area, shapely.Geometry]],
        communes: list[tuple[Area, shapely.Geometry]],
        provinces: dict[int, Area],
        nearest_max_m: float,
    ) -> None:
        self.districts = _Layer([r for r, _ in districts], [g for _, g in districts])
        self.provinces = provinces
        self.nearest_max_m = nearest_max_m
        all_bounds = self.districts.bounds
        self.origin_lat = (
            float((all_bounds[:, 1].min() + all_bounds[:, 3].max()) / 2) if len(all_bounds) else 0.0
        )
        # Distances to polygons are measured in a local equirectangular plane
        # centred on the service area: within a province its error is well
        # under 1%, and it lets shapely do the work in C.
        self._metres_per_lon = (
            math.radians(1) * EARTH_RADIUS_M * math.cos(math.radians(self.origin_lat))
        )
        self._metres_per_lat = math.radians(1) * EARTH_RADIUS_M
        metric = [self._to_metric(g) for g in self.districts.geometries]
        # A point outside every district is nearest to some stretch of a district
        # edge; short stretches in a tree make that search cheap (a whole
        # district edge has thousands of vertices).
        pieces, owners = _edge_pieces(metric)
        self._edge_tree = shapely.STRtree(pieces)
        self._edge_owner = np.array(owners, dtype=np.int64)
        # Everything within reach of the nearest-district rule: most points that
        # miss every district are far out, and this one test dismisses them.
        self._near_zone = shapely.buffer(shapely.union_all(metric), nearest_max_m)
        shapely.prepare(self._near_zone)
        self._grid = _CellGrid(
            self.districts, self._near_zone, self._metres_per_lon, self._metres_per_lat
        )
        self._district_index = {ref.id: i for i, ref in enumerate(self.districts.refs)}
        by_district: dict[int, list[tuple[Area, shapely.Geometry]]] = {}
        for ref, geometry in communes:
            if ref.parent_id in self._district_index:
                by_district.setdefault(ref.parent_id, []).append((ref, geometry))
        self.communes = {
            district_id: _Layer([r for r, _ in items], [g for _, g in items])
            for district_id, items in by_district.items()
        }
        self._all_district_positions = list(range(len(self.districts.refs)))

    def _to_metric(self, geometry: shapely.Geometry) -> shapely.Geometry:
        return shapely.transform(
            geometry, lambda xy: xy * np.array([self._metres_per_lon, self._metres_per_lat])
        )

    def _nearest_district(self, lon: float, lat: float) -> tuple[int, float]:
        x, y = lon * self._metres_per_lon, lat * self._metres_per_lat
        if not shapely.intersects_xy(self._near_zone, x, y):
            return -1, math.inf
        found, distances = self._edge_tree.query_nearest(
            shapely.Point(x, y), max_distance=self.nearest_max_m, return_distance=True
        )
        if len(found) == 0:
            return -1, math.inf
        # Equidistant candidates: the lowest code (they are stored in code order).
        return int(self._edge_owner[found].min()), float(distances.min())

    def place(self, lat: float, lon: float) -> Placement | None:
        """Where one point lies, or None when it is outside the service area."""
        position = self._grid.lookup(lon, lat)
        distance = 0.0
        if position == MIXED:
            position = self.districts.first_containing(lon, lat)
            if position == -1:
                position, distance = self._nearest_district(lon, lat)
        if position == -1:
            return None
        district = self.districts.refs[position]
        commune = None
        layer = self.communes.get(district.id)
        if layer is not None:
            found = layer.first_containing(lon, lat)
            commune = layer.refs[found] if found != -1 else None
        return Placement(
            district=district,
            commune=commune,
            province=self.provinces.get(district.parent_id or -1),
            distance_outside_m=round(distance, 1),
        )

    def district_positions(self, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
        """Bulk routing: the district position of each point (-1: outside)."""
        lats = np.asarray(lats, dtype=float)
        lons = np.asarray(lons, dtype=float)
        from_grid = self._grid.lookup_many(lons, lats)
        mixed = np.flatnonzero(from_grid == MIXED)
        result = np.where(from_grid == MIXED, -1, from_grid)
        exact = np.full(len(mixed), -1, dtype=np.int64)
        for i in self._all_district_positions:
            self.districts.assign(lons[mixed], lats[mixed], exact, i)
        result[mixed] = exact
        outside = mixed[exact == -1]
        xs, ys = lons[outside] * self._metres_per_lon, lats[outside] * self._metres_per_lat
        within_reach = shapely.intersects_xy(self._near_zone, xs, ys)
        outside, xs, ys = outside[within_reach], xs[within_reach], ys[within_reach]
        if len(outside):
            points = shapely.points(xs, ys)
            pairs = self._edge_tree.query_nearest(
                points, max_distance=self.nearest_max_m, all_matches=True
            )
            # Several equidistant districts: keep the lowest position, as `place` does.
            nearest = np.full(len(outside), np.iinfo(np.int64).max, dtype=np.int64)
            np.minimum.at(nearest, pairs[0], self._edge_owner[pairs[1]])
            nearest[nearest == np.iinfo(np.int64).max] = -1
            result[outside] = nearest
        return result

    def commune_positions(
        self, lats: np.ndarray, lons: np.ndarray, districts: np.ndarray
    ) -> list[Area | None]:
        """Bulk: the commune of each point, given its district positions."""
        lats = np.asarray(lats, dtype=float)
        lons = np.asarray(lons, dtype=float)
        found: list[Area | None] = [None] * len(lats)
        for position, ref in enumerate(self.districts.refs):
            layer = self.communes.get(ref.id)
            members = np.flatnonzero(districts == position)
            if layer is None or len(members) == 0:
                continue
            result = np.full(len(members), -1, dtype=np.int64)
            for i in range(len(layer.refs)):
                layer.assign(lons[members], lats[members], result, i)
            for member, commune_i in zip(members, result, strict=True):
                if commune_i != -1:
                    found[member] = layer.refs[commune_i]
        return found


def _edge_pieces(
    geometries: list[shapely.Geometry], vertices_per_piece: int = 16
) -> tuple[list[shapely.Geometry], list[int]]:
    """Cut each polygon's rings into short linestrings, remembering whose they are."""
    pieces: list[shapely.Geometry] = []
    owners: list[int] = []
    for owner, geometry in enumerate(geometries):
        for ring in shapely.get_parts(shapely.boundary(geometry)):
            coords = shapely.get_coordinates(ring)
            for start in range(0, len(coords) - 1, vertices_per_piece):
                chunk = coords[start : start + vertices_per_piece + 1]
                if len(chunk) >= 2:
                    pieces.append(shapely.linestrings(chunk))
                    owners.append(owner)
    return pieces, owners


def build_index() -> AreaIndex:
    active = Area.objects.active()
    refs = {a.id: a for a in active.only("id", "code", "name", "level", "parent_id")}
    by_level: dict[str, list[tuple[Area, shapely.Geometry]]] = {level: [] for level in Level}
    for area_id, wkb in active.values_list("id", "geometry_wkb"):
        area = refs[area_id]
        by_level[area.level].append((area, shapely.from_wkb(bytes(wkb))))
    provinces = {ref.id: ref for ref, _ in by_level[Level.PROVINCE]}
    # A province whose polygon we do not hold still names itself in placements.
    missing_parents = {r.parent_id for r, _ in by_level[Level.DISTRICT]} - set(provinces)
    for area in Area.objects.filter(id__in=[p for p in missing_parents if p]).only(
        "id", "code", "name", "level", "parent_id"
    ):
        provinces[area.id] = area
    return AreaIndex(
        districts=by_level[Level.DISTRICT],
        communes=by_level[Level.COMMUNE],
        provinces=provinces,
        nearest_max_m=settings.ROUTING_NEAREST_DISTRICT_MAX_M,
    )


_index = Snapshot("area-index", lambda: build_index(), Area)
area_index = _index.get


@dataclass(frozen=True)
class _Rule:
    category_id: int | None
    unit: Unit


def _load_rules() -> dict[int, list[_Rule]]:
    """The rules of active units by area, each unit with its area (not its boundary)."""
    rules: dict[int, list[_Rule]] = {}
    for rule in (
        RoutingRule.objects.filter(unit__active=True)
        .select_related("unit__area")
        .defer("unit__area__geometry_wkb")
    ):
        rules.setdefault(rule.area_id, []).append(_Rule(rule.category_id, rule.unit))
    return rules


_rules = Snapshot("routing-rules", _load_rules, RoutingRule, Unit, Area)


def watch_reference_data() -> None:
    _index.watch_saves()
    _rules.watch_saves()


def place(lat: float, lon: float) -> Placement | None:
    return area_index().place(lat, lon)


def place_in_service_area(lat: float, lon: float) -> Placement:
    """The point's placement, or the 422 a point outside the service area gets."""
    placement = place(lat, lon)
    if placement is None:
        raise Unprocessable(
            "This place is outside the area the service covers.",
            code="outside_service_area",
            details={"lat": lat, "lon": lon},
        )
    return placement


def units_by_category(placement: Placement, category_ids: list[int]) -> dict[int, Unit | None]:
    """The responsible unit for each category at this placement.

    For each category, a rule naming the category beats a default (category-less)
    rule, and among those the smallest area wins: a province-wide rule sending
    water-supply to the water company beats a district's catch-all unit, while
    a district's own water-supply rule beats the province's.
    """
    chain = placement.area_chain_ids()
    rules_by_area = _rules.get()
    candidates = [
        (rule, depth)
        for depth, area_id in enumerate(chain)
        for rule in rules_by_area.get(area_id, [])
    ]
    best: dict[int, Unit | None] = {}
    for category_id in category_ids:
        matching = [
            (rule.category_id is None, depth, rule.unit)
            for rule, depth in candidates
            if rule.category_id in (category_id, None)
        ]
        best[category_id] = min(matching, key=lambda c: (c[0], c[1]))[2] if matching else None
    return best


def unit_for(placement: Placement, category_id: int) -> Unit | None:
    return units_by_category(placement, [category_id])[category_id]

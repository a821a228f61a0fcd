"""Which areas a point lies in, and which unit gets a report there.

The spatial index and the routing rules are reference data
(`backend.reference_data`): built once per process, rebuilt when the tables
change. Nothing here names a level: an edition has as many as its country.

How a point is placed:
1. The deciding layer places it: the shallowest level with more than one area
   (the communes and wards of 2025; the districts before). A point inside (or
   on the edge of) several gets the one with the lowest code, so a point on a
   shared border has one answer.
2. A point inside none, but within ROUTING_NEAREST_AREA_MAX_M of one (a river
   bank, a pier, GPS error), goes to the nearest; farther out it is outside.
3. Below the deciding area, each level is searched among the children of the
   area found above only: the pre-2025 communes come from another survey and
   spill over district edges, so they refine, never decide. A point in no
   child stops the chain where it is.
4. Above it, the chain is the deciding area's ancestors.
"""

import math
from dataclasses import dataclass

import numpy as np
import shapely
from django.conf import settings

from backend.areas.models import Area, RoutingRule, Unit
from backend.errors import Unprocessable
from backend.reference_data import Snapshot

EARTH_RADIUS_M = 6_371_008.8
AREA_FIELDS = ("id", "code", "name", "short_name", "level", "parent_id", "edition")


@dataclass(frozen=True)
class Placement:
    """Where a point lies: its chain of areas, largest first. The areas are the
    index's rows, without their boundary (deferred, never loaded on the way): a
    report takes the smallest as its area with no query."""

    chain: tuple[Area, ...]
    distance_outside_m: float  # 0 when the point is inside the deciding area

    @property
    def area(self) -> Area:
        return self.chain[-1]

    def area_chain_ids(self) -> list[int]:
        """Smallest area first: the order routing rules are looked up in."""
        return [area.id for area in reversed(self.chain)]


class _Layer:
    """Polygons of one level (or of one parent's children), in code order,
    prepared for point-in-polygon tests."""

    def __init__(self, areas: list[tuple[Area, shapely.Geometry]]) -> None:
        areas = sorted(areas, key=lambda item: (item[0].code or "~", item[0].id))
        self.refs = [ref for ref, _ in areas]
        self.geometries = np.array([geometry for _, geometry in areas], dtype=object)
        shapely.prepare(self.geometries)
        self.bounds = shapely.bounds(self.geometries) if len(areas) else np.empty((0, 4))
        # Plain tuples: the one-point path reads them in Python, where numpy rows are slow.
        self._boxes = [
            (i, float(box[0]), float(box[1]), float(box[2]), float(box[3]))
            for i, box in enumerate(self.bounds)
        ]

    def first_containing(self, lon: float, lat: float, among: list[int] | None = None) -> int:
        """The first polygon (in code order) containing or touching the point, or -1."""
        boxes = self._boxes if among is None else [self._boxes[i] for i in among]
        for i, minx, miny, maxx, maxy in boxes:
            if (
                minx <= lon <= maxx
                and miny <= lat <= maxy
                and shapely.intersects_xy(self.geometries[i], lon, lat)
            ):
                return i
        return -1

    def assign(self, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
        """The first polygon containing each point, or -1 (bulk path, small layers)."""
        result = np.full(len(lons), -1, dtype=np.int64)
        for i in range(len(self.refs)):
            minx, miny, maxx, maxy = self.bounds[i]
            todo = np.flatnonzero(
                (result == -1) & (lons >= minx) & (lons <= maxx) & (lats >= miny) & (lats <= maxy)
            )
            if len(todo):
                inside = shapely.intersects_xy(self.geometries[i], lons[todo], lats[todo])
                result[todo[inside]] = i
        return result


class _CellGrid:
    """A raster over the service area that answers most points without a polygon test.

    A cell lies wholly inside one area (its answer, >= 0), beyond reach of every
    area (-1), or is mixed (<= -2): it holds an edge or lies within reach of
    one, and its value names the short list of areas a point in it may belong
    to, tested exactly. Only cells strictly inside an area are answered from the
    grid, so a point on a border always gets the exact (lowest-code) answer.
    """

    def __init__(
        self,
        layer: _Layer,
        metric_geometries: np.ndarray,
        reach_m: float,
        metres_per_lon: float,
        metres_per_lat: float,
        cell_m: float = 200.0,
        max_cells_per_side: int = 1024,
    ) -> None:
        minx, miny = layer.bounds[:, 0].min(), layer.bounds[:, 1].min()
        maxx, maxy = layer.bounds[:, 2].max(), layer.bounds[:, 3].max()
        pad_x, pad_y = (reach_m + cell_m) / metres_per_lon, (reach_m + cell_m) / metres_per_lat
        self.x0, self.y0 = float(minx - pad_x), float(miny - pad_y)
        x1, y1 = float(maxx + pad_x), float(maxy + pad_y)
        width_m, height_m = (x1 - self.x0) * metres_per_lon, (y1 - self.y0) * metres_per_lat
        self.nx = int(min(max_cells_per_side, max(1, math.ceil(width_m / cell_m))))
        self.ny = int(min(max_cells_per_side, max(1, math.ceil(height_m / cell_m))))
        self.dx = (x1 - self.x0) / self.nx
        self.dy = (y1 - self.y0) / self.ny
        grid_cols, grid_rows = np.meshgrid(np.arange(self.nx), np.arange(self.ny))
        cols, rows = grid_cols.ravel(), grid_rows.ravel()
        left, bottom = self.x0 + cols * self.dx, self.y0 + rows * self.dy
        boxes = shapely.box(left, bottom, left + self.dx, bottom + self.dy)
        metric_boxes = shapely.box(
            left * metres_per_lon,
            bottom * metres_per_lat,
            (left + self.dx) * metres_per_lon,
            (bottom + self.dy) * metres_per_lat,
        )
        cells = np.full(len(boxes), -1, dtype=np.int64)
        # Which areas each cell may hold a point of: those within reach of it.
        near_area, near_cell = shapely.STRtree(metric_boxes).query(
            metric_geometries, predicate="dwithin", distance=reach_m
        )
        inside_area, inside_cell = shapely.STRtree(boxes).query(
            layer.geometries, predicate="contains_properly"
        )
        interior = np.zeros(len(boxes), dtype=bool)
        interior[inside_cell] = True
        keep = ~interior[near_cell]
        near_area, near_cell = near_area[keep], near_cell[keep]
        order = np.lexsort((near_area, near_cell))
        near_area, near_cell = near_area[order], near_cell[order]
        mixed_cells, starts = np.unique(near_cell, return_index=True)
        self.candidate_start = np.append(starts, len(near_cell)).astype(np.int64)
        self.candidates = near_area.astype(np.int64)
        cells[mixed_cells] = -2 - np.arange(len(mixed_cells))
        cells[inside_cell] = inside_area
        self.cells = cells.reshape(self.ny, self.nx)
        self._cell_list = cells.tolist()
        self._candidate_lists = [
            self.candidates[self.candidate_start[k] : self.candidate_start[k + 1]].tolist()
            for k in range(len(mixed_cells))
        ]

    def lookup(self, lon: float, lat: float) -> int:
        col = math.floor((lon - self.x0) / self.dx)
        row = math.floor((lat - self.y0) / self.dy)
        if 0 <= col < self.nx and 0 <= row < self.ny:
            return self._cell_list[row * self.nx + col]
        return -1

    def candidates_of(self, cell: int) -> list[int]:
        return self._candidate_lists[-2 - cell]

    def lookup_many(self, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
        cols = np.floor((lons - self.x0) / self.dx).astype(np.int64)
        rows = np.floor((lats - self.y0) / self.dy).astype(np.int64)
        inside = (cols >= 0) & (cols < self.nx) & (rows >= 0) & (rows < self.ny)
        result = np.full(len(lons), -1, dtype=np.int64)
        result[inside] = self.cells[rows[inside], cols[inside]]
        return result


class AreaIndex:
    """Every active area, the deciding layer gridded, the levels below it by parent."""

    def __init__(self, areas: list[tuple[Area, shapely.Geometry]], nearest_max_m: float) -> None:
        self.nearest_max_m = nearest_max_m
        refs = {ref.id: ref for ref, _ in areas}
        depth = {ref.id: _depth(ref, refs) for ref in refs.values()}
        by_depth: dict[int, list[tuple[Area, shapely.Geometry]]] = {}
        for ref, geometry in areas:
            by_depth.setdefault(depth[ref.id], []).append((ref, geometry))
        depths = sorted(by_depth)
        deciding = next((d for d in depths if len(by_depth[d]) > 1), depths[-1] if depths else 0)
        self.layer = _Layer(by_depth.get(deciding, []))
        # Each deciding area's ancestors, largest first: the top of every chain.
        self._chain_top = [tuple(_ancestors(ref, refs)) for ref in self.layer.refs]
        self._children: dict[int, _Layer] = {}
        for d in depths:
            if d <= deciding:
                continue
            by_parent: dict[int, list[tuple[Area, shapely.Geometry]]] = {}
            for ref, geometry in by_depth[d]:
                if ref.parent_id is not None:
                    by_parent.setdefault(ref.parent_id, []).append((ref, geometry))
            self._children.update({pid: _Layer(items) for pid, items in by_parent.items()})
        all_bounds = self.layer.bounds
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
        metric = np.array([self._to_metric(g) for g in self.layer.geometries], dtype=object)
        # A point outside every area is nearest to some stretch of an area's edge;
        # short stretches in a tree make that search cheap (an edge has thousands
        # of vertices).
        pieces, owners = _edge_pieces(list(metric))
        self._edge_tree = shapely.STRtree(pieces)
        self._edge_owner = np.array(owners, dtype=np.int64)
        self._grid = (
            _CellGrid(self.layer, metric, nearest_max_m, self._metres_per_lon, self._metres_per_lat)
            if len(self.layer.refs)
            else None
        )

    def _to_metric(self, geometry: shapely.Geometry) -> shapely.Geometry:
        return shapely.transform(
            geometry, lambda xy: xy * np.array([self._metres_per_lon, self._metres_per_lat])
        )

    def outline(self) -> shapely.Geometry:
        """The service area: the union of the deciding layer."""
        return shapely.union_all(list(self.layer.geometries))

    def _nearest(self, lon: float, lat: float) -> tuple[int, float]:
        x, y = lon * self._metres_per_lon, lat * self._metres_per_lat
        found, distances = self._edge_tree.query_nearest(
            shapely.Point(x, y), max_distance=self.nearest_max_m, return_distance=True
        )
        if len(found) == 0:
            return -1, math.inf
        # Equidistant candidates: the lowest code (they are stored in code order).
        return int(self._edge_owner[found].min()), float(distances.min())

    def place(self, lat: float, lon: float) -> Placement | None:
        """Where one point lies, or None when it is outside the service area."""
        if self._grid is None:
            return None
        position = self._grid.lookup(lon, lat)
        distance = 0.0
        if position <= -2:
            candidates = self._grid.candidates_of(position)
            position = self.layer.first_containing(lon, lat, candidates)
            if position == -1:
                position, distance = self._nearest(lon, lat)
        if position == -1:
            return None
        return Placement(
            chain=self._chain_top[position] + self._descend(self.layer.refs[position], lon, lat),
            distance_outside_m=round(distance, 1),
        )

    def _descend(self, area: Area, lon: float, lat: float) -> tuple[Area, ...]:
        chain = [area]
        while (children := self._children.get(chain[-1].id)) is not None:
            found = children.first_containing(lon, lat)
            if found == -1:
                break
            chain.append(children.refs[found])
        return tuple(chain)

    def positions(self, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
        """Bulk: each point's position in the deciding layer (-1: outside)."""
        lats = np.asarray(lats, dtype=float)
        lons = np.asarray(lons, dtype=float)
        if self._grid is None:
            return np.full(len(lats), -1, dtype=np.int64)
        cells = self._grid.lookup_many(lons, lats)
        result = np.where(cells >= 0, cells, -1)
        mixed = np.flatnonzero(cells <= -2)
        if len(mixed) == 0:
            return result
        # Every (point, candidate area) pair of the mixed cells, tested in one call.
        k = -2 - cells[mixed]
        starts = self._grid.candidate_start[k]
        counts = self._grid.candidate_start[k + 1] - starts
        point_of_pair = np.repeat(mixed, counts)
        pair_offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        area_of_pair = self._grid.candidates[np.repeat(starts, counts) + pair_offsets]
        hit = shapely.intersects_xy(
            self.layer.geometries[area_of_pair], lons[point_of_pair], lats[point_of_pair]
        )
        none = np.iinfo(np.int64).max
        best = np.full(len(lats), none, dtype=np.int64)
        np.minimum.at(best, point_of_pair[hit], area_of_pair[hit])
        result[mixed] = np.where(best[mixed] == none, -1, best[mixed])
        outside = mixed[best[mixed] == none]
        if len(outside):
            points = shapely.points(
                lons[outside] * self._metres_per_lon, lats[outside] * self._metres_per_lat
            )
            pairs = self._edge_tree.query_nearest(
                points, max_distance=self.nearest_max_m, all_matches=True
            )
            # Several equidistant areas: keep the lowest position, as `place` does.
            nearest = np.full(len(outside), none, dtype=np.int64)
            np.minimum.at(nearest, pairs[0], self._edge_owner[pairs[1]])
            result[outside] = np.where(nearest == none, -1, nearest)
        return result

    def place_many(self, lats: np.ndarray, lons: np.ndarray) -> list[Placement | None]:
        """Bulk: each point's placement (None outside), as `place` gives it, without
        the distance outside (0 for every point)."""
        lats = np.asarray(lats, dtype=float)
        lons = np.asarray(lons, dtype=float)
        positions = self.positions(lats, lons)
        chains: list[list[Area]] = [
            [self.layer.refs[p]] if p != -1 else [] for p in positions.tolist()
        ]
        # Level by level below the deciding one, the points of one parent at a time.
        pending = [i for i, chain in enumerate(chains) if chain]
        while pending:
            by_parent: dict[int, list[int]] = {}
            for i in pending:
                if chains[i][-1].id in self._children:
                    by_parent.setdefault(chains[i][-1].id, []).append(i)
            pending = []
            for parent_id, members in by_parent.items():
                layer = self._children[parent_id]
                found = layer.assign(lons[members], lats[members])
                for i, child in zip(members, found.tolist(), strict=True):
                    if child != -1:
                        chains[i].append(layer.refs[child])
                        pending.append(i)
        return [
            Placement(chain=self._chain_top[p] + tuple(chain), distance_outside_m=0.0)
            if chain
            else None
            for p, chain in zip(positions.tolist(), chains, strict=True)
        ]


def _depth(area: Area, refs: dict[int, Area]) -> int:
    return len(_ancestors(area, refs))


def _ancestors(area: Area, refs: dict[int, Area]) -> list[Area]:
    """The area's ancestors among the loaded ones, largest first."""
    chain: list[Area] = []
    current = refs.get(area.parent_id) if area.parent_id else None
    while current is not None:
        chain.append(current)
        current = refs.get(current.parent_id) if current.parent_id else None
    return chain[::-1]


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
    refs = {a.id: a for a in active.only(*AREA_FIELDS)}
    areas = [
        (refs[area_id], shapely.from_wkb(bytes(wkb)))
        for area_id, wkb in active.values_list("id", "geometry_wkb")
    ]
    return AreaIndex(areas, nearest_max_m=settings.ROUTING_NEAREST_AREA_MAX_M)


_index = Snapshot("area-index", lambda: build_index(), Area)
area_index = _index.get


@dataclass(frozen=True)
class _Rule:
    category_id: int | None
    unit: Unit


@dataclass(frozen=True)
class _Rules:
    by_area: dict[int, list[_Rule]]
    triage_by_area: dict[int, Unit]


def _load_rules() -> _Rules:
    """The rules of active units by area, each unit with its area (not its
    boundary), and the triage units that take what no rule covers."""
    rules: dict[int, list[_Rule]] = {}
    for rule in (
        RoutingRule.objects.filter(unit__active=True)
        .select_related("unit__area")
        .defer("unit__area__geometry_wkb")
    ):
        rules.setdefault(rule.area_id, []).append(_Rule(rule.category_id, rule.unit))
    triage = {
        unit.area_id: unit
        for unit in Unit.objects.filter(active=True, is_triage=True)
        .select_related("area")
        .defer("area__geometry_wkb")
        .order_by("-id")
    }
    return _Rules(by_area=rules, triage_by_area=triage)


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
    water supply to the water company beats a ward's catch-all unit, while a
    ward's own water-supply rule beats the province's. What no rule covers goes
    to the nearest triage unit up the chain, so no report is left without a
    unit where a triage unit exists.
    """
    chain = placement.area_chain_ids()
    rules = _rules.get()
    candidates = [
        (rule, depth)
        for depth, area_id in enumerate(chain)
        for rule in rules.by_area.get(area_id, [])
    ]
    triage = next((rules.triage_by_area[a] for a in chain if a in rules.triage_by_area), None)
    best: dict[int, Unit | None] = {}
    for category_id in category_ids:
        matching = [
            (rule.category_id is None, depth, rule.unit)
            for rule, depth in candidates
            if rule.category_id in (category_id, None)
        ]
        best[category_id] = min(matching, key=lambda c: (c[0], c[1]))[2] if matching else triage
    return best


def unit_for(placement: Placement, category_id: int) -> Unit | None:
    return units_by_category(placement, [category_id])[category_id]

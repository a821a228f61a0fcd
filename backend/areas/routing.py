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
from django.utils.translation import gettext as _

from backend.areas.grid import CellGrid, Layer, edge_pieces, segment_boxes
from backend.areas.models import Area, RoutingRule, Unit
from backend.errors import Unprocessable
from backend.reference_data import Snapshot

EARTH_RADIUS_M = 6_371_008.8
# The one-point path calls shapely's ufuncs (`shapely.lib`) directly: its
# Python wrappers check arguments at about 5 µs a call, half a request's routing.
_NAN_OK = np.intc(0)
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
        self.layer = Layer(by_depth.get(deciding, []))
        # Each deciding area's ancestors, largest first: the top of every chain.
        self._chain_top = [tuple(_ancestors(ref, refs)) for ref in self.layer.refs]
        self._children: dict[int, Layer] = {}
        for d in depths:
            if d <= deciding:
                continue
            by_parent: dict[int, list[tuple[Area, shapely.Geometry]]] = {}
            for ref, geometry in by_depth[d]:
                if ref.parent_id is not None:
                    by_parent.setdefault(ref.parent_id, []).append((ref, geometry))
            self._children.update({pid: Layer(items) for pid, items in by_parent.items()})
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
        metric = [self._to_metric(g) for g in self.layer.geometries]
        # A point outside every area is nearest to some stretch of an area's edge;
        # short stretches make that search cheap (an edge has thousands of vertices).
        pieces, owners = edge_pieces(metric)
        self._pieces = np.array(pieces, dtype=object)
        self._edge_tree = shapely.STRtree(pieces)
        self._edge_owner = np.array(owners, dtype=np.int64)
        # Which cells an edge crosses is told by its single segments, whose
        # boxes are tight: few cells are mixed.
        segment_bounds, segment_owners = segment_boxes(metric)
        self._grid = (
            CellGrid(
                self.layer,
                segment_bounds,
                segment_owners,
                self._pieces,
                self._edge_owner,
                nearest_max_m,
                self._metres_per_lon,
                self._metres_per_lat,
            )
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

    def _nearest(self, cell: int, lon: float, lat: float) -> tuple[int, float]:
        """The area whose edge is nearest, among the stretches within reach of
        the point's cell; -1 when none is within reach."""
        assert self._grid is not None
        k = -2 - cell
        pieces = self._grid.piece_geometries[k]
        if len(pieces) == 0:
            return -1, math.inf
        point = shapely.lib.points(
            (lon * self._metres_per_lon, lat * self._metres_per_lat), _NAN_OK
        )
        # A few stretches: Python lists beat numpy's per-call cost here.
        distances = shapely.lib.distance(pieces, point).tolist()
        nearest = min(distances)
        if nearest > self.nearest_max_m:
            return -1, math.inf
        # Equidistant stretches of several areas: the lowest code (code order).
        owners = self._grid.piece_owners[k]
        return min(o for o, d in zip(owners, distances, strict=True) if d == nearest), nearest

    def place(self, lat: float, lon: float) -> Placement | None:
        """Where one point lies, or None when it is outside the service area."""
        if self._grid is None:
            return None
        cell = self._grid.lookup(lon, lat)
        position, distance = cell, 0.0
        if cell <= -2:
            k = -2 - cell
            geometries = self._grid.candidate_geometries[k]
            hits = shapely.lib.intersects_xy(geometries, lon, lat).tolist()
            if True in hits:
                position = self._grid.candidates[k][hits.index(True)]
            else:
                position, distance = self._nearest(cell, lon, lat)
        if position < 0:
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
        area_of_pair = self._grid.candidate_items[np.repeat(starts, counts) + pair_offsets]
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
            _("This place is outside the area the service covers."),
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

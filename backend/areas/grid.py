"""The geometry under routing: a level's polygons prepared for point tests, and a
raster over them that answers most points without one (`backend.areas.routing`
builds both, once per process)."""

import math

import numpy as np
import shapely

from backend.areas.models import Area


class Layer:
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

    def first_containing(self, lon: float, lat: float) -> int:
        """The first polygon (in code order) containing or touching the point, or -1."""
        for i, minx, miny, maxx, maxy in self._boxes:
            if (
                minx <= lon <= maxx
                and miny <= lat <= maxy
                and shapely.lib.intersects_xy(self.geometries[i], lon, lat)
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


class CellGrid:
    """A raster over the service area that answers most points without a polygon test.

    A cell lies wholly inside one area (its answer, >= 0), beyond reach of every
    area (-1), or is mixed (<= -2): the bounding box of a stretch of edge
    overlaps it or comes within reach. A point in a mixed cell is tested against
    the few areas whose edges may cross the cell (or which hold its centre), and
    measured against the stretches of edge within reach, for the nearest-area
    rule. A cell no edge's box touches lies wholly in the area holding its
    centre, so a point on a border always gets the exact (lowest-code) answer.
    The grid is built from boxes and cell arithmetic alone, no polygon test
    but one per cell centre: it is rebuilt whenever an area changes.
    """

    def __init__(
        self,
        layer: Layer,
        segment_bounds: np.ndarray,
        segment_owners: np.ndarray,
        pieces: np.ndarray,
        piece_owners: np.ndarray,
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
        n_cells = self.nx * self.ny

        # Cells whose box a stretch's box overlaps (it may cross them), and those
        # within reach of it: ranges of columns and rows, by arithmetic.
        crossing = self._pairs(segment_bounds, 0.0, metres_per_lon, metres_per_lat)
        within_reach = self._pairs(shapely.bounds(pieces), reach_m, metres_per_lon, metres_per_lat)
        cols, rows = np.meshgrid(np.arange(self.nx), np.arange(self.ny))
        centre_area = layer.assign(
            self.x0 + (cols.ravel() + 0.5) * self.dx, self.y0 + (rows.ravel() + 0.5) * self.dy
        )
        crossed = np.zeros(n_cells, dtype=bool)
        crossed[crossing[1]] = True
        # The boxes only promise reach: keep the stretches truly within reach
        # of a cell that needs them (it holds an edge, or its centre is outside).
        needs = crossed[within_reach[1]] | (centre_area[within_reach[1]] < 0)
        piece_of, cell_of = within_reach[0][needs], within_reach[1][needs]
        unique_cells, position = np.unique(cell_of, return_inverse=True)
        col, row = unique_cells % self.nx, unique_cells // self.nx
        left, bottom = self.x0 + col * self.dx, self.y0 + row * self.dy
        boxes = shapely.box(
            left * metres_per_lon,
            bottom * metres_per_lat,
            (left + self.dx) * metres_per_lon,
            (bottom + self.dy) * metres_per_lat,
        )
        close = shapely.distance(pieces[piece_of], boxes[position]) <= reach_m
        within_reach = (piece_of[close], cell_of[close])
        near = np.zeros(n_cells, dtype=bool)
        near[within_reach[1]] = True
        cells = np.where(centre_area >= 0, centre_area, -1)
        mixed = np.flatnonzero(crossed | (near & (centre_area < 0)))
        cells[mixed] = -2 - np.arange(len(mixed))
        self.cells = cells.reshape(self.ny, self.nx)
        self._cell_list = cells.tolist()

        # Each mixed cell's candidate areas, in code order (positions are code
        # order): the owners of the stretches that may cross it, and the area
        # holding its centre.
        slot = np.full(n_cells, -1, dtype=np.int64)
        slot[mixed] = np.arange(len(mixed))
        in_mixed = slot[crossing[1]] >= 0
        area_pairs = np.concatenate(
            [
                slot[crossing[1][in_mixed]] * len(layer.refs)
                + segment_owners[crossing[0][in_mixed]],
                (np.arange(len(mixed)) * len(layer.refs) + centre_area[mixed])[
                    centre_area[mixed] >= 0
                ],
            ]
        )
        area_pairs = np.unique(area_pairs)
        cell_of, area_of = area_pairs // len(layer.refs), area_pairs % len(layer.refs)
        self.candidate_start = np.searchsorted(cell_of, np.arange(len(mixed) + 1))
        self.candidate_items = area_of.astype(np.int64)
        self.candidates = [c.tolist() for c in np.split(area_of, self.candidate_start[1:-1])]
        self.candidate_geometries = [layer.geometries[c] for c in self.candidates]
        # And the stretches within reach of it, for the nearest-area rule.
        reach_slot = slot[within_reach[1]]
        keep = reach_slot >= 0
        order = np.argsort(reach_slot[keep], kind="stable")
        pieces_by_cell = within_reach[0][keep][order]
        starts = np.searchsorted(reach_slot[keep][order], np.arange(len(mixed) + 1))
        by_cell = np.split(pieces_by_cell, starts[1:-1])
        self.piece_geometries = [pieces[p] for p in by_cell]
        self.piece_owners = [piece_owners[p].tolist() for p in by_cell]

    def _pairs(
        self, bounds: np.ndarray, reach_m: float, metres_per_lon: float, metres_per_lat: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """(piece, cell) for every cell a piece's box, grown by reach, overlaps."""
        dx_m, dy_m = self.dx * metres_per_lon, self.dy * metres_per_lat
        x0_m, y0_m = self.x0 * metres_per_lon, self.y0 * metres_per_lat
        c0 = np.clip(np.floor((bounds[:, 0] - reach_m - x0_m) / dx_m), 0, self.nx - 1)
        c1 = np.clip(np.floor((bounds[:, 2] + reach_m - x0_m) / dx_m), 0, self.nx - 1)
        r0 = np.clip(np.floor((bounds[:, 1] - reach_m - y0_m) / dy_m), 0, self.ny - 1)
        r1 = np.clip(np.floor((bounds[:, 3] + reach_m - y0_m) / dy_m), 0, self.ny - 1)
        c0, c1, r0, r1 = (a.astype(np.int64) for a in (c0, c1, r0, r1))
        widths = c1 - c0 + 1
        counts = widths * (r1 - r0 + 1)
        piece = np.repeat(np.arange(len(bounds)), counts)
        within = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        width = np.repeat(widths, counts)
        col = np.repeat(c0, counts) + within % width
        row = np.repeat(r0, counts) + within // width
        return piece, row * self.nx + col

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


def _rings(geometries: list[shapely.Geometry]):
    for owner, geometry in enumerate(geometries):
        for ring in shapely.get_parts(shapely.boundary(geometry)):
            yield owner, shapely.get_coordinates(ring)


def edge_pieces(
    geometries: list[shapely.Geometry], vertices_per_piece: int = 16
) -> tuple[list[shapely.Geometry], list[int]]:
    """Cut each polygon's rings into short linestrings, remembering whose they are."""
    pieces: list[shapely.Geometry] = []
    owners: list[int] = []
    for owner, coords in _rings(geometries):
        for start in range(0, len(coords) - 1, vertices_per_piece):
            chunk = coords[start : start + vertices_per_piece + 1]
            if len(chunk) >= 2:
                pieces.append(shapely.linestrings(chunk))
                owners.append(owner)
    return pieces, owners


def segment_boxes(geometries: list[shapely.Geometry]) -> tuple[np.ndarray, np.ndarray]:
    """The box (minx, miny, maxx, maxy) of every segment of every ring, and its owner."""
    boxes: list[np.ndarray] = [np.empty((0, 4))]
    owners: list[np.ndarray] = [np.empty(0, dtype=np.int64)]
    for owner, coords in _rings(geometries):
        start, end = coords[:-1], coords[1:]
        boxes.append(np.hstack([np.minimum(start, end), np.maximum(start, end)]))
        owners.append(np.full(len(start), owner, dtype=np.int64))
    return np.concatenate(boxes), np.concatenate(owners)

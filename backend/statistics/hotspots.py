"""Hotspots: Getis-Ord Gi* over H3 cells, as ArcGIS's Hot Spot Analysis reports them.

1. Count reports per cell at the chosen resolution with one GROUP BY on the
   report's stored cell column.
2. Take every cell of the service area (zero-count cells included: a quiet
   neighbourhood is information), from the active areas.
3. Neighbours of a cell are grid_disk(cell, k) within the service area, the
   cell itself included, with binary weights.
4. Gi*_i = (sum_j w_ij x_j - mean * W_i) / (s * sqrt((n W_i - W_i^2) / (n - 1))),
   s the population standard deviation; p two-sided from the normal; bins at
   90, 95 and 99 % confidence, optionally after a Benjamini-Hochberg correction.
"""

import math
from dataclasses import dataclass
from functools import lru_cache

import h3
import numpy as np
import shapely

from backend.areas import routing

CONFIDENCE_LEVELS = ((0.01, 3), (0.05, 2), (0.10, 1))  # p below -> bin (signed by z)


@dataclass
class HotspotResult:
    cells: list[int]
    counts: np.ndarray
    z: np.ndarray
    p: np.ndarray
    bins: np.ndarray


@lru_cache(maxsize=8)
def _service_area_cells(index_id: int, resolution: int) -> tuple[int, ...]:
    index = routing.area_index()
    union = index.outline()
    cells: set[str] = set()
    for polygon in shapely.get_parts(union):
        shape = h3.geo_to_h3shape(shapely.geometry.mapping(polygon))
        cells.update(h3.h3shape_to_cells(shape, resolution))
    return tuple(sorted(h3.str_to_int(c) for c in cells))


def service_area_cells(resolution: int) -> list[int]:
    return list(_service_area_cells(id(routing.area_index()), resolution))


def neighbour_matrix(cells: list[int], k: int) -> tuple[np.ndarray, np.ndarray]:
    """(n x m) positions of each cell's neighbours within `cells` (itself included),
    and the mask of the real ones (cells at the edge have fewer)."""
    position = {cell: i for i, cell in enumerate(cells)}
    size = 3 * k * (k + 1) + 1
    neighbours = np.zeros((len(cells), size), dtype=np.int64)
    mask = np.zeros((len(cells), size), dtype=bool)
    for i, cell in enumerate(cells):
        found = [
            position[n]
            for n in map(h3.str_to_int, h3.grid_disk(h3.int_to_str(cell), k))
            if n in position
        ]
        neighbours[i, : len(found)] = found
        mask[i, : len(found)] = True
    return neighbours, mask


def gi_star(counts: np.ndarray, neighbours: np.ndarray, mask: np.ndarray) -> np.ndarray:
    x = counts.astype(float)
    n = len(x)
    mean = x.mean()
    s = np.sqrt((x**2).mean() - mean**2)
    weight_sum = mask.sum(axis=1).astype(float)
    local_sum = np.where(mask, x[neighbours], 0.0).sum(axis=1)
    denominator = s * np.sqrt((n * weight_sum - weight_sum**2) / (n - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (local_sum - mean * weight_sum) / denominator
    return np.nan_to_num(z, nan=0.0, posinf=0.0, neginf=0.0)


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    order = np.argsort(p)
    ranked = p[order] * len(p) / np.arange(1, len(p) + 1)
    adjusted = np.minimum.accumulate(ranked[::-1])[::-1]
    result = np.empty_like(p)
    result[order] = np.minimum(adjusted, 1.0)
    return result


def confidence_bins(z: np.ndarray, p: np.ndarray) -> np.ndarray:
    bins = np.zeros(len(z), dtype=np.int64)
    for threshold, level in reversed(CONFIDENCE_LEVELS):
        bins[p < threshold] = level
    return bins * np.sign(z).astype(np.int64)


def hotspots(
    counts_by_cell: dict[int, int], resolution: int, k: int = 1, fdr: bool = False
) -> HotspotResult:
    cells = service_area_cells(resolution)
    # Reports just outside every polygon (the nearest-area rule) still count.
    cells = sorted(set(cells) | set(counts_by_cell))
    counts = np.array([counts_by_cell.get(c, 0) for c in cells], dtype=float)
    neighbours, mask = neighbour_matrix(cells, k)
    z = gi_star(counts, neighbours, mask)
    p = _two_sided_p(z)
    if fdr:
        p = benjamini_hochberg(p)
    return HotspotResult(cells=cells, counts=counts, z=z, p=p, bins=confidence_bins(z, p))


_erfc = np.vectorize(math.erfc, otypes=[float])


def _two_sided_p(z: np.ndarray) -> np.ndarray:
    """2 * (1 - Phi(|z|)) = erfc(|z| / sqrt 2): the normal tail without importing
    scipy.stats, which costs an API worker two seconds on its first request."""
    return _erfc(np.abs(z) / math.sqrt(2))


def as_geojson(result: HotspotResult, only_interesting: bool = True) -> dict:
    features = []
    for i, cell in enumerate(result.cells):
        if only_interesting and result.counts[i] == 0 and result.bins[i] == 0:
            continue
        boundary = [(lon, lat) for lat, lon in h3.cell_to_boundary(h3.int_to_str(cell))]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [[*boundary, boundary[0]]]},
                "properties": {
                    "cell": h3.int_to_str(cell),
                    "count": int(result.counts[i]),
                    "z": round(float(result.z[i]), 4),
                    "p": round(float(result.p[i]), 6),
                    "bin": int(result.bins[i]),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}

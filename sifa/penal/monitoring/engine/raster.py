"""A coarse grid in front of a polygon fence: most points are decided by one array lookup.

Each cell of a grid over the fence's bounding box is INSIDE (wholly inside the polygon), OUTSIDE
(wholly outside) or UNSURE (the boundary passes near it). A point in an INSIDE/OUTSIDE cell is
decided by the lookup; only points in UNSURE cells go to the exact prepared-geometry test
(`shapely.contains_xy`). For a county (≈ 50 km across, 384 cells → ≈ 130 m cells) only the points
within a few hundred metres of the border are tested exactly — a few per cent of them.

Why the answer is exact: the boundary is densified so consecutive vertices are at most half a cell
apart; every boundary point is then within a quarter cell of a vertex. Every cell within two cells
of a vertex's cell is marked UNSURE (one for the distance, one for floating-point rounding of the
cell index at cell edges). So no INSIDE/OUTSIDE cell touches the boundary, and a cell the boundary
does not touch lies wholly on one side — its centre tells which.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray

OUTSIDE, INSIDE, UNSURE = 0, 1, 2
_DILATE = 2


class PolygonRaster:
    def __init__(self, geometry: Any, cells: int = 384) -> None:
        minx, miny, maxx, maxy = shapely.bounds(geometry).tolist()
        size = max(maxx - minx, maxy - miny, 1e-9) / cells
        pad = (_DILATE + 1) * size
        self.x0, self.y0 = minx - pad, miny - pad
        self.inv = 1.0 / size
        self.nx = math.ceil((maxx + pad - self.x0) * self.inv) + 1
        self.ny = math.ceil((maxy + pad - self.y0) * self.inv) + 1
        unsure = np.zeros((self.ny, self.nx), dtype=np.bool_)
        boundary = shapely.segmentize(shapely.boundary(geometry), size / 2)
        xy = shapely.get_coordinates(boundary)
        ix = np.floor((xy[:, 0] - self.x0) * self.inv).astype(np.intp)
        iy = np.floor((xy[:, 1] - self.y0) * self.inv).astype(np.intp)
        unsure[np.clip(iy, 0, self.ny - 1), np.clip(ix, 0, self.nx - 1)] = True
        grown = unsure.copy()
        for dy in range(-_DILATE, _DILATE + 1):
            for dx in range(-_DILATE, _DILATE + 1):
                grown[max(dy, 0) : self.ny + min(dy, 0), max(dx, 0) : self.nx + min(dx, 0)] |= unsure[
                    max(-dy, 0) : self.ny + min(-dy, 0), max(-dx, 0) : self.nx + min(-dx, 0)
                ]
        # Runs of sure cells along each row lie on one side of the boundary (a run never crosses
        # it): classify one cell per run by its centre.
        flat = grown.ravel()
        starts = np.ones(flat.size, dtype=np.bool_)
        starts[1:] = flat[1:] != flat[:-1]
        starts[:: self.nx] = True
        run = np.cumsum(starts) - 1
        first = np.flatnonzero(starts)
        sure_runs = first[~flat[first]]
        cx = self.x0 + (sure_runs % self.nx + 0.5) * size
        cy = self.y0 + (sure_runs // self.nx + 0.5) * size
        inside_run = np.zeros(first.size, dtype=np.bool_)
        inside_run[run[sure_runs]] = shapely.contains_xy(geometry, cx, cy)
        self.codes: NDArray[np.uint8] = np.where(flat, UNSURE, inside_run[run].astype(np.uint8)).astype(
            np.uint8
        )

    def classify(self, x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.uint8]:
        """OUTSIDE / INSIDE / UNSURE per point (NaN and points off the grid are OUTSIDE)."""
        fx = (x - self.x0) * self.inv
        fy = (y - self.y0) * self.inv
        on = (fx >= 0) & (fx < self.nx) & (fy >= 0) & (fy < self.ny)
        out = np.zeros(x.size, dtype=np.uint8)
        cell = fy[on].astype(np.intp) * self.nx + fx[on].astype(np.intp)
        out[on] = self.codes[cell]
        return out

    def contains_xy(self, prepared: Any, x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Exactly shapely.contains_xy(prepared, x, y), with the exact test only where unsure."""
        code = self.classify(x, y)
        inside = code == INSIDE
        unsure = np.flatnonzero(code == UNSURE)
        if unsure.size:
            inside[unsure] = shapely.contains_xy(prepared, x[unsure], y[unsure])
        return inside


class RasterSet:
    """The grids of many polygon fences in flat arrays, so one batch of (fence, point) pairs is
    classified with a few array expressions whatever the number of fences."""

    def __init__(self) -> None:
        self._rasters: list[PolygonRaster | None] = []
        self._dirty = True
        self._pack()

    def __len__(self) -> int:
        return len(self._rasters)

    def get(self, f: int) -> PolygonRaster | None:
        return self._rasters[f] if f < len(self._rasters) else None

    def set(self, f: int, raster: PolygonRaster | None) -> None:
        while len(self._rasters) <= f:
            self._rasters.append(None)
        self._rasters[f] = raster
        self._dirty = True

    def _pack(self) -> None:
        n = len(self._rasters)
        self._has = np.zeros(n, dtype=np.bool_)
        self._x0 = np.zeros(n)
        self._y0 = np.zeros(n)
        self._inv = np.zeros(n)
        self._nx = np.zeros(n, dtype=np.intp)
        self._ny = np.zeros(n, dtype=np.intp)
        self._off = np.zeros(n, dtype=np.intp)
        parts: list[NDArray[np.uint8]] = []
        offset = 0
        for f, r in enumerate(self._rasters):
            if r is None:
                continue
            self._has[f] = True
            self._x0[f], self._y0[f], self._inv[f] = r.x0, r.y0, r.inv
            self._nx[f], self._ny[f], self._off[f] = r.nx, r.ny, offset
            parts.append(r.codes)
            offset += r.codes.size
        self._codes = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint8)
        self._dirty = False

    def classify(
        self, fid: NDArray[np.intp], x: NDArray[np.float64], y: NDArray[np.float64]
    ) -> NDArray[np.uint8]:
        """Per (fence, point) pair: OUTSIDE / INSIDE / UNSURE; UNSURE for fences without a grid."""
        if self._dirty:
            self._pack()
        known = fid < len(self._rasters)
        f = np.where(known, fid, 0)
        has = known & self._has[f] if len(self._rasters) else np.zeros(fid.size, dtype=np.bool_)
        out = np.where(has, np.uint8(OUTSIDE), np.uint8(UNSURE))
        if not has.any():
            return out
        fx = (x - self._x0[f]) * self._inv[f]
        fy = (y - self._y0[f]) * self._inv[f]
        nx = self._nx[f]
        on = has & (fx >= 0) & (fx < nx) & (fy >= 0) & (fy < self._ny[f])
        cell = self._off[f[on]] + fy[on].astype(np.intp) * nx[on] + fx[on].astype(np.intp)
        out[on] = self._codes[cell]
        return out

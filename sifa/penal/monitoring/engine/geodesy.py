"""Distances on the WGS-84 sphere approximation, vectorised.

Fences are tens of metres to tens of kilometres across, so the haversine distance on a sphere of
the mean Earth radius is accurate to ~0.3 %, far below GNSS error; no projection library needed.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE_LAT = 111_320.0


def haversine_m(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> NDArray[np.float64]:
    """Great-circle distance in metres between WGS-84 points (degrees), element-wise."""
    p1 = np.radians(np.asarray(lat1, dtype=np.float64))
    p2 = np.radians(np.asarray(lat2, dtype=np.float64))
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2, dtype=np.float64) - np.asarray(lon1, dtype=np.float64))
    h = np.sin(dp * 0.5) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl * 0.5) ** 2
    return 2.0 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def degrees_to_min_metres(deg: ArrayLike, lat: ArrayLike) -> NDArray[np.float64]:
    """A lower bound in metres for a planar distance measured in degrees at latitude `lat`.

    A degree of longitude is shorter than a degree of latitude by cos(lat), so multiplying by the
    longitude scale never overstates the distance. Used for polygon-boundary depth, where an
    underestimate only makes the distance-margin shortcut fire later (never a false alert).
    """
    return (
        np.asarray(deg, dtype=np.float64)
        * METRES_PER_DEGREE_LAT
        * np.cos(np.radians(np.asarray(lat, dtype=np.float64)))
    )


def offset_point(lat: float, lon: float, north_m: float, east_m: float) -> tuple[float, float]:
    """The point `north_m`/`east_m` metres away (small offsets), for tests and simulators."""
    d_lat = north_m / METRES_PER_DEGREE_LAT
    d_lon = east_m / (METRES_PER_DEGREE_LAT * float(np.cos(np.radians(lat))))
    return lat + d_lat, lon + d_lon

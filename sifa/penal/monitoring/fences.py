"""Fences of the platform → the engine's fence objects, in WGS-84 (the datum of device fixes).

A fence drawn on a Chinese web map is GCJ-02 (``Fence.datum``); it is converted here, once per
registration, never per fix. County outlines come converted from the engine's divisions module.
"""

from __future__ import annotations

from typing import Any

from .engine import TimeWindow, gcj02_to_wgs84
from .engine.divisions import to_wgs84
from .models import Datum, Fence


def county_fence_key(code: str) -> str:
    return f"county:{code}"


def fence_window(fence: Fence) -> TimeWindow | None:
    if fence.window_start is None or fence.window_end is None:
        return None
    start = fence.window_start.hour * 60 + fence.window_start.minute
    end = fence.window_end.hour * 60 + fence.window_end.minute
    return TimeWindow(start, end) if start != end else None


def fence_geometry_wgs84(fence: Fence) -> Any:
    from shapely.geometry import shape

    geom = shape(fence.geometry)
    return to_wgs84(geom) if fence.datum == Datum.GCJ02 else geom


def fence_center_wgs84(fence: Fence) -> tuple[float, float]:
    """(lat, lon) of a circle fence's centre in WGS-84."""
    lat, lon = float(fence.center_lat or 0.0), float(fence.center_lon or 0.0)
    if fence.datum == Datum.GCJ02:
        wlon, wlat = gcj02_to_wgs84(lon, lat)
        return float(wlat), float(wlon)
    return lat, lon


def polygon_key(fence: Fence) -> str:
    # The geometry's version is part of the key: an edited polygon is a new shared fence.
    return f"fence:{fence.pk}:{int(fence.updated_at.timestamp())}"


def fence_pk_of(fence_key: str) -> int | None:
    if fence_key.startswith("fence:"):
        try:
            return int(fence_key.split(":")[1])
        except (IndexError, ValueError):
            return None
    return None

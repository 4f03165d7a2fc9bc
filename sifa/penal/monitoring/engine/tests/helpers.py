"""Test helpers: engines with real county fences, points either side of a county border."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import shapely

from sifa.penal.monitoring.engine import Engine, EngineConfig, FenceKind, Fix, FixBatch, PolygonFence
from sifa.penal.monitoring.engine.divisions import load_outline_wgs84
from sifa.penal.monitoring.engine.geodesy import METRES_PER_DEGREE_LAT

SHANGHAI = ZoneInfo("Asia/Shanghai")
# 南昌县 (360121) and 青山湖区 (360111) share a ~50 km border.
COUNTY_A, COUNTY_B = "360121", "360111"


def local_ts(year: int, month: int, day: int, hour: int, minute: int = 0) -> float:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI).timestamp()


def county_engine(config: EngineConfig | None = None, *codes: str) -> Engine:
    engine = Engine(config)
    for code in codes or (COUNTY_A, COUNTY_B):
        engine.add_polygon_fence(
            PolygonFence(f"county:{code}", load_outline_wgs84(code), FenceKind.ALLOWED_AREA)
        )
    return engine


def border_points(offset_m: float) -> tuple[tuple[float, float], tuple[float, float]]:
    """(lat, lon) `offset_m` metres inside COUNTY_A and inside COUNTY_B, across their shared border."""
    a = load_outline_wgs84(COUNTY_A)
    b = load_outline_wgs84(COUNTY_B)
    shared = shapely.line_merge(a.boundary.intersection(b.boundary))
    parts = list(getattr(shared, "geoms", [shared]))
    line = max(parts, key=lambda g: g.length)
    mid = line.interpolate(0.5, normalized=True)
    ahead = line.interpolate(min(line.project(mid) + 1e-4, line.length))
    # Unit normal of the border at `mid`, in a local metric frame.
    k = np.cos(np.radians(mid.y))
    tx, ty = (ahead.x - mid.x) * k, ahead.y - mid.y
    norm = np.hypot(tx, ty)
    nx, ny = -ty / norm, tx / norm
    d_lon = nx * offset_m / (METRES_PER_DEGREE_LAT * k)
    d_lat = ny * offset_m / METRES_PER_DEGREE_LAT
    p1 = (float(mid.y + d_lat), float(mid.x + d_lon))
    p2 = (float(mid.y - d_lat), float(mid.x - d_lon))
    if shapely.contains_xy(a, p1[1], p1[0]):
        return p1, p2
    return p2, p1


def batch(
    device_id: str,
    points: list[tuple[float, float, float]],
    accuracy: float = 5.0,
    battery: float | None = None,
) -> FixBatch:
    """Fixes from (ts, lat, lon) triples."""
    return FixBatch.from_fixes(
        [Fix(device_id, ts, lat, lon, accuracy_m=accuracy, battery_pct=battery) for ts, lat, lon in points]
    )


def inner_point(code: str = COUNTY_A) -> tuple[float, float]:
    """(lat, lon) of a point well inside the county (at least 5 km from its border)."""
    geom = load_outline_wgs84(code)
    core = geom.buffer(-0.05)
    p = core.representative_point()
    return (float(p.y), float(p.x))

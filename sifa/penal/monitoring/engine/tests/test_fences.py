"""Geofences: county outlines (converted once to WGS-84), circles, time windows across midnight.

社区矫正法 Art 27: leaving the county of residence needs approval, so the allowed area is the county.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from sifa.penal.monitoring.engine import CircleFence, EventType, FenceKind, TimeWindow
from sifa.penal.monitoring.engine.coords import wgs84_to_gcj02_arrays
from sifa.penal.monitoring.engine.divisions import counties_of, load_outline_gcj02, load_outline_wgs84
from sifa.penal.monitoring.engine.fences import window_active
from sifa.penal.monitoring.engine.geodesy import haversine_m, offset_point

from .helpers import COUNTY_A, COUNTY_B, batch, border_points, county_engine, inner_point, local_ts


def test_jiangxi_has_100_counties_with_outlines() -> None:
    counties = counties_of("360000")
    assert len(counties) == 100
    assert {c.city for c in counties} >= {"南昌市", "赣州市"}
    assert load_outline_wgs84(counties[0].code).is_valid


def test_converted_outline_agrees_with_gcj02_outline_near_the_border() -> None:
    """A WGS-84 fix is inside the converted outline iff its GCJ-02 image is inside the original."""
    gcj = load_outline_gcj02(COUNTY_A)
    wgs = load_outline_wgs84(COUNTY_A)
    rng = np.random.default_rng(7)
    # Points scattered within ~300 m of the border (where a datum mix-up would show).
    ring = wgs.boundary
    along = rng.uniform(0, 1, 400)
    base = shapely.line_interpolate_point(ring, along, normalized=True)
    lon = shapely.get_x(base) + rng.normal(0, 0.002, 400)
    lat = shapely.get_y(base) + rng.normal(0, 0.002, 400)
    g_lon, g_lat = wgs84_to_gcj02_arrays(lon, lat)
    in_wgs = shapely.contains_xy(wgs, lon, lat)
    in_gcj = shapely.contains_xy(gcj, g_lon, g_lat)
    assert in_wgs.any() and (~in_wgs).any()
    assert (in_wgs == in_gcj).mean() > 0.99  # only points within millimetres of an edge may differ


def test_datum_matters_at_the_border() -> None:
    """Using the GCJ-02 outline with raw WGS-84 fixes would misclassify points ~100 m from the border."""
    gcj = load_outline_gcj02(COUNTY_A)
    wgs = load_outline_wgs84(COUNTY_A)
    (lat_a, lon_a), (lat_b, lon_b) = border_points(100)
    assert shapely.contains_xy(wgs, lon_a, lat_a) and not shapely.contains_xy(wgs, lon_b, lat_b)
    wrong = [bool(shapely.contains_xy(gcj, lon, lat)) for lat, lon in ((lat_a, lon_a), (lat_b, lon_b))]
    assert wrong != [True, False] or not all(wrong)  # raw mixing is not reliable there


@pytest.mark.parametrize("offset_m", [40.0, 150.0])
def test_points_on_both_sides_of_a_county_border(offset_m: float) -> None:
    engine = county_engine()
    t0 = local_ts(2026, 11, 23, 10)
    engine.register_device("a", "sup-a", polygons=[f"county:{COUNTY_A}"], now=t0)
    engine.register_device("b", "sup-b", polygons=[f"county:{COUNTY_B}"], now=t0)
    (lat_a, lon_a), (lat_b, lon_b) = border_points(offset_m)
    # Each stays on their own side for 5 minutes: no events.
    own = [
        batch("a", [(t0 + 60 * i, lat_a, lon_a) for i in range(5)]),
        batch("b", [(t0 + 60 * i, lat_b, lon_b) for i in range(5)]),
    ]
    for b in own:
        assert engine.process_batch(b, now=t0 + 400) == []
    # Then each crosses to the other side for 3 fixes: a breach of their own county (after N=3).
    t1 = t0 + 600
    events = engine.process_batch(batch("a", [(t1 + 60 * i, lat_b, lon_b) for i in range(3)]), now=t1 + 200)
    events += engine.process_batch(batch("b", [(t1 + 60 * i, lat_a, lon_a) for i in range(3)]), now=t1 + 200)
    breaches = sorted((e.device_id, e.fence_key) for e in events if e.event_type is EventType.BREACH)
    assert breaches == [("a", f"county:{COUNTY_A}"), ("b", f"county:{COUNTY_B}")]


def test_circle_fence_uses_metres() -> None:
    engine = county_engine()
    centre = inner_point()
    victim = CircleFence("victim:1", centre[0], centre[1], 300.0, FenceKind.EXCLUSION_ZONE)
    engine.register_device(
        "d", "s", polygons=[f"county:{COUNTY_A}"], circles=[victim], now=local_ts(2026, 11, 23, 10)
    )
    inside = offset_point(*centre, north_m=0, east_m=250)
    outside = offset_point(*centre, north_m=0, east_m=350)
    assert haversine_m(centre[0], centre[1], *inside) == pytest.approx(250, rel=0.01)
    t0 = local_ts(2026, 11, 23, 10)
    assert engine.process_batch(batch("d", [(t0 + 60 * i, *outside) for i in range(3)]), now=t0 + 200) == []
    events = engine.process_batch(batch("d", [(t0 + 300 + 60 * i, *inside) for i in range(3)]), now=t0 + 600)
    assert [e.event_type for e in events if e.fence_key == "victim:1"] == [EventType.ENTER, EventType.BREACH]


@pytest.mark.parametrize(
    ("hhmm", "active"),
    [
        ("21:59", False),
        ("22:00", True),
        ("23:59", True),
        ("00:00", True),
        ("05:59", True),
        ("06:00", False),
        ("12:00", False),
    ],
)
def test_curfew_window_crosses_midnight(hhmm: str, active: bool) -> None:
    window = TimeWindow.parse("22:00-06:00")
    h, m = (int(p) for p in hhmm.split(":"))
    assert window.contains(h * 60 + m) is active


def test_daytime_window_and_no_window() -> None:
    minutes = np.array([479, 480, 1019, 1020])
    assert window_active(minutes, np.full(4, 480), np.full(4, 1020)).tolist() == [False, True, True, False]
    assert window_active(minutes, np.full(4, -1), np.full(4, -1)).all()
    with pytest.raises(ValueError, match="empty window"):
        TimeWindow.parse("22:00-22:00")


def test_curfew_breach_only_inside_the_window_in_local_time() -> None:
    """Curfew (home 22:00–06:00 Asia/Shanghai): away at 21:50 is fine, away at 22:10 is a breach,
    and the breach ends at 06:00 even if still away."""
    engine = county_engine()
    home = inner_point()
    away = offset_point(*home, north_m=2000, east_m=0)
    curfew = CircleFence("home:s", home[0], home[1], 150.0, FenceKind.CURFEW, TimeWindow.parse("22:00-06:00"))
    engine.register_device(
        "d", "s", polygons=[f"county:{COUNTY_A}"], circles=[curfew], now=local_ts(2026, 11, 23, 21)
    )
    evening = [local_ts(2026, 11, 23, 21, m) for m in (40, 45, 50)]
    events = engine.process_batch(batch("d", [(t, *away) for t in evening]), now=evening[-1] + 5)
    assert [e.event_type for e in events] == []  # out of window: not even an EXIT is reported
    late = local_ts(2026, 11, 23, 22, 10)
    events = engine.process_batch(batch("d", [(late, *away)]), now=late + 5)
    assert [(e.event_type, e.fence_kind) for e in events] == [(EventType.BREACH, "curfew")]
    morning = local_ts(2026, 11, 24, 6, 1)
    events = engine.process_batch(batch("d", [(morning, *away)]), now=morning + 5)
    assert [e.event_type for e in events] == [EventType.BREACH_END]


def test_county_names_resolve_for_other_provinces() -> None:
    assert len(counties_of("110000")) == 16  # Beijing's districts


def test_unknown_division_code() -> None:
    from sifa.penal.monitoring.engine.divisions import DivisionNotFound

    with pytest.raises(DivisionNotFound):
        load_outline_wgs84("999999")
    assert COUNTY_B != COUNTY_A

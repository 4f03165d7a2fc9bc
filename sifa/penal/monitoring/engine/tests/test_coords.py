"""WGS-84 ↔ GCJ-02 against published pairs and round-trip properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sifa.penal.monitoring.engine.coords import (
    gcj02_to_wgs84,
    gcj02_to_wgs84_arrays,
    out_of_china,
    wgs84_to_gcj02,
    wgs84_to_gcj02_arrays,
)


def test_forward_matches_published_tiananmen_pair() -> None:
    # wandergis/coordtransform README (the reference most GCJ-02 ports test against, e.g. hutool's
    # CoordinateUtilTest and coordtransform-rs): wgs84togcj02(116.404, 39.915)
    # → [116.41024449916938, 39.91640428150164].
    lon_gcj02, lat_gcj02 = wgs84_to_gcj02(116.404, 39.915)
    assert lon_gcj02 == pytest.approx(116.41024449916938, abs=1e-12)
    assert lat_gcj02 == pytest.approx(39.91640428150164, abs=1e-12)


def test_inverse_matches_gcoord_iterative_pair() -> None:
    # hujiulong/gcoord test/unit/crs/GCJ02.spec.js: GCJ02 → WGS84 of [123, 45] is
    # [122.99395597, 44.99804071] (their iteration stops at 1e-6°, so compare to 1e-6).
    lon_wgs84, lat_wgs84 = gcj02_to_wgs84(123.0, 45.0)
    assert lon_wgs84 == pytest.approx(122.99395597, abs=1e-6)
    assert lat_wgs84 == pytest.approx(44.99804071, abs=1e-6)


def test_inverse_is_close_to_published_one_step_approximation() -> None:
    # wandergis/coordtransform's gcj02towgs84(116.404, 39.915) is the one-step approximation
    # [116.39775550083061, 39.91359571849836]; the exact inverse differs by well under 1e-5°.
    lon_wgs84, lat_wgs84 = gcj02_to_wgs84(116.404, 39.915)
    assert lon_wgs84 == pytest.approx(116.39775550083061, abs=1e-5)
    assert lat_wgs84 == pytest.approx(39.91359571849836, abs=1e-5)
    # ... and, unlike the approximation, it maps back onto the input.
    assert wgs84_to_gcj02(lon_wgs84, lat_wgs84) == pytest.approx((116.404, 39.915), abs=1e-9)


def test_offset_in_nanchang_is_hundreds_of_metres() -> None:
    lon_gcj02, lat_gcj02 = wgs84_to_gcj02(115.8579, 28.6820)
    shift_m = np.hypot(
        (lon_gcj02 - 115.8579) * 111_320 * np.cos(np.radians(28.682)), (lat_gcj02 - 28.682) * 111_320
    )
    assert 100 < shift_m < 1000


@pytest.mark.parametrize(
    ("lon", "lat"), [(2.2945, 48.8584), (-74.0445, 40.6892), (139.7454, 35.6586), (150.0, 30.0)]
)
def test_outside_china_is_identity(lon: float, lat: float) -> None:
    assert out_of_china(lon, lat)
    assert wgs84_to_gcj02(lon, lat) == (lon, lat)
    assert gcj02_to_wgs84(lon, lat) == (lon, lat)


def test_vectorised_equals_scalar() -> None:
    rng = np.random.default_rng(3)
    lon = rng.uniform(73.5, 135.0, 200)
    lat = rng.uniform(18.0, 53.5, 200)
    v_lon, v_lat = wgs84_to_gcj02_arrays(lon, lat)
    for i in range(0, 200, 17):
        assert (v_lon[i], v_lat[i]) == wgs84_to_gcj02(float(lon[i]), float(lat[i]))


@settings(max_examples=300, deadline=None)
@given(lon=st.floats(73.0, 135.0), lat=st.floats(18.0, 53.5))
def test_round_trip_within_1e6_degrees(lon: float, lat: float) -> None:
    g_lon, g_lat = wgs84_to_gcj02(lon, lat)
    w_lon, w_lat = gcj02_to_wgs84(g_lon, g_lat)
    assert abs(w_lon - lon) < 1e-6
    assert abs(w_lat - lat) < 1e-6


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.floats(73.0, 135.0), st.floats(18.0, 53.5)), min_size=1, max_size=50))
def test_round_trip_arrays(points: list[tuple[float, float]]) -> None:
    lon = np.array([p[0] for p in points])
    lat = np.array([p[1] for p in points])
    w_lon, w_lat = gcj02_to_wgs84_arrays(*wgs84_to_gcj02_arrays(lon, lat))
    assert np.max(np.abs(w_lon - lon)) < 1e-6
    assert np.max(np.abs(w_lat - lat)) < 1e-6

"""The simulator's breach drive: it leaves the county within the engine's speed limit and, fed
through the platform ingest at the simulator's pace, raises exactly one breach alert."""

from __future__ import annotations

import itertools
import time
from typing import Any

import pytest
import shapely

from sifa.penal.monitoring.engine import FixBatch
from sifa.penal.monitoring.engine.divisions import load_outline_wgs84
from sifa.penal.monitoring.engine.fixes import Fix
from sifa.penal.monitoring.engine.geodesy import haversine_m
from sifa.penal.monitoring.ingest import get_engine
from sifa.penal.monitoring.models import Alert, AlertKind, Device
from sifa.penal.monitoring.simulate import breach_route, simulate_cli

from .conftest import FAR_OUTSIDE, INSIDE


def _speeds_kmh(route: list[tuple[float, float]], interval_s: float) -> list[float]:
    return [
        float(haversine_m(a[0], a[1], b[0], b[1])) / interval_s * 3.6 for a, b in itertools.pairwise(route)
    ]


@pytest.mark.parametrize("start", [INSIDE, FAR_OUTSIDE], ids=["from-inside", "from-outside"])
def test_breach_route_ends_outside_and_respects_the_speed_filter(start: tuple[float, float]) -> None:
    county = load_outline_wgs84("360102")
    route = breach_route(county, *start, step_m=120.0)
    assert all(not shapely.contains_xy(county, lon, lat) for lat, lon in route[-4:])
    if not shapely.contains_xy(county, start[1], start[0]):
        assert any(shapely.contains_xy(county, lon, lat) for lat, lon in route)  # comes back in first
    assert max(_speeds_kmh([start, *route], 2.0)) < 250  # the engine's FilterConfig.max_speed_kmh


@pytest.mark.django_db
def test_the_breach_drive_raises_one_alert(device: Device) -> None:
    route = breach_route(load_outline_wgs84("360102"), *INSIDE, step_m=120.0)
    start = time.time() - 2.0 * len(route) - 5
    fixes = [
        Fix(device_id=device.device_id, ts=start + 2.0 * k, lat_wgs84=lat, lon_wgs84=lon, accuracy_m=8.0)
        for k, (lat, lon) in enumerate(route)
    ]
    get_engine().ingest(FixBatch.from_fixes(fixes))
    assert Alert.objects.filter(kind=AlertKind.BREACH).count() == 1
    assert Alert.objects.get(kind=AlertKind.BREACH).supervisee_id == device.supervisee_id


@pytest.mark.django_db
def test_simulate_without_registered_devices_explains_what_is_missing(capsys: Any) -> None:
    assert simulate_cli(["devices", "--count", "3", "--duration", "0"]) == 1
    assert "sifa demo" in capsys.readouterr().out

from __future__ import annotations

import time
from typing import Any

import pytest

from sifa.platform.accounts.roles import Role
from sifa.platform.testing.tree import make_user

# 东湖区 (360102), WGS-84: a point well inside, and a point 11 km east of its eastern edge.
INSIDE = (28.734116, 115.908623)
FAR_OUTSIDE = (28.734116, 116.100000)


@pytest.fixture(autouse=True)
def _fresh_engine() -> Any:
    """Each test starts with an empty in-memory engine; the database holds the device state."""
    from sifa.penal.monitoring.ingest import reset_engine

    reset_engine()
    yield
    reset_engine()


@pytest.fixture
def office_user(tree: Any) -> Any:
    return make_user("dh_office_mon", Role.OFFICE_STAFF, tree.donghu_office)


@pytest.fixture
def county_head(tree: Any) -> Any:
    return make_user("dh_head_mon", Role.BUREAU_HEAD, tree.donghu)


@pytest.fixture
def device(tree: Any) -> Any:
    from sifa.penal.monitoring.testing import make_device

    return make_device(tree.donghu_office, device_id="dh-phone-1")


def osmand_url(device: Any, lat: float, lon: float, ts: int, **extra: Any) -> str:
    from urllib.parse import urlencode

    query = urlencode({"id": device.device_id, "lat": lat, "lon": lon, "timestamp": ts, **extra})
    return f"/api/monitoring/osmand/?{query}"


def fix_times(count: int, spacing_s: float = 300.0) -> list[int]:
    """Epoch seconds of ``count`` fixes ending a minute ago (always in the recent past)."""
    end = int(time.time()) - 60
    return [int(end - (count - 1 - i) * spacing_s) for i in range(count)]

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


# -- committed data for tests with a second thread (the MQTT consumer) ---------------------------------
# Same approach as tests/browser/conftest.py (a candidate for sifa.platform.testing): the audit tables
# are append-only in the database itself, so the flush after a transactional test needs their
# triggers lifted, and they are put back once the flush is done.
class _Executor:
    def __init__(self, connection: Any) -> None:
        self.connection = connection

    def execute(self, sql: str, params: Any = None) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)


def _audit_migration() -> Any:
    import importlib

    return importlib.import_module("sifa.platform.audit.migrations.0002_append_only_triggers")


@pytest.fixture
def committed_db(request: pytest.FixtureRequest, transactional_db: Any) -> Any:
    yield
    from django.db import connection

    _audit_migration().drop(None, _Executor(connection))
    request.node.sifa_audit_triggers_lifted = True


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    yield
    if not getattr(item, "sifa_audit_triggers_lifted", False):
        return
    from django.db import connection
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        migration = _audit_migration()
        migration.drop(None, _Executor(connection))
        migration.create(None, _Executor(connection))

"""Position storage: monthly partitions on PostgreSQL, retention (default 1 year) on both databases."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from sifa.penal.monitoring.models import Device, Position
from sifa.penal.monitoring.storage import existing_partitions, maintain_partitions, partition_name

pytestmark = pytest.mark.django_db


def _positions(device: Device, times: list[dt.datetime]) -> None:
    Position.objects.bulk_create(
        Position(device=device, supervisee_id=device.supervisee_id, ts=t, lat_wgs84=28.73, lon_wgs84=115.9)
        for t in times
    )


def test_retention_removes_positions_older_than_a_year(device: Device, settings: Any) -> None:
    settings.SIFA_MONITORING_RETENTION_DAYS = 365
    now = timezone.now()
    _positions(
        device, [now - dt.timedelta(days=500), now - dt.timedelta(days=400), now - dt.timedelta(days=30), now]
    )
    maintain_partitions()
    kept = sorted(Position.objects.values_list("ts", flat=True))
    assert [round((now - t).days) for t in kept] == [30, 0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="declarative partitioning is PostgreSQL's")
def test_postgresql_positions_live_in_monthly_partitions(device: Device) -> None:
    today = timezone.now().astimezone(dt.UTC).date()
    # A future month with rows already (a device clock error): they sit in DEFAULT until its partition exists.
    future = (today.replace(day=1) + dt.timedelta(days=100)).replace(day=5)
    _positions(device, [dt.datetime.combine(future, dt.time(12), tzinfo=dt.UTC)])
    report = maintain_partitions(today=today, ahead=4, retention=365)
    names = existing_partitions()
    assert partition_name(today.replace(day=1)) in names
    assert partition_name(future.replace(day=1)) in names and report.moved_rows == 1
    with connection.cursor() as cur:
        cur.execute("SELECT tableoid::regclass::text FROM monitoring_position")
        assert [row[0] for row in cur.fetchall()] == [partition_name(future.replace(day=1))]
    # A year and a half later the current month's partition is past retention and is dropped whole.
    later = today + dt.timedelta(days=random.randint(540, 560))
    report = maintain_partitions(today=later, ahead=0, retention=365)
    assert partition_name(today.replace(day=1)) in report.dropped
    assert partition_name(today.replace(day=1)) not in existing_partitions()
    assert maintain_partitions(today=later, ahead=0, retention=365).created == []  # idempotent

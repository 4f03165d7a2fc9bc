"""Test helpers and scoping-matrix cases for the monitoring endpoints and pages.

The track page serves ``corrections.Supervisee`` (its case lives in corrections/testing.py).
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from sifa.penal.corrections.models import ApprovalStatus, MonitoringOrder, Supervisee
from sifa.penal.corrections.testing import make_supervisee
from sifa.platform.testing.matrix import MatrixCase

from .models import Alert, AlertKind, Device, Protocol, hash_token

_seq = itertools.count(1)


def make_monitored(org: Any, owner: Any = None, *, order: bool = True, **extra: Any) -> Supervisee:
    """A supervisee at ``org`` with (by default) an approved monitoring order covering today."""
    supervisee = make_supervisee(org, owner, **extra)
    if order:
        today = timezone.localdate()
        MonitoringOrder.objects.create(
            supervisee=supervisee,
            ground="left_area",
            ground_detail="未经批准离开所居住的县",
            start_date=today - dt.timedelta(days=10),
            end_date=today + dt.timedelta(days=60),
            status=ApprovalStatus.APPROVED,
        )
    return supervisee


def make_device(
    org: Any,
    owner: Any = None,
    *,
    device_id: str | None = None,
    supervisee: Supervisee | None = None,
    token: str = "",
    protocol: str = Protocol.OSMAND,
) -> Device:
    supervisee = supervisee or make_monitored(org, owner)
    return Device.objects.create(
        device_id=device_id or f"test-dev-{next(_seq)}",
        supervisee=supervisee,
        org=supervisee.org,
        protocol=protocol,
        token_hash=hash_token(token) if token else "",
    )


def make_alert(org: Any, owner: Any = None, **extra: Any) -> Alert:
    device = make_device(org, owner)
    values: dict[str, Any] = {
        "supervisee": device.supervisee,
        "device": device,
        "org": device.org,
        "kind": AlertKind.BREACH,
        "occurred_at": timezone.now(),
        "key": f"{device.device_id}|breach|county:{org.division_id}|{next(_seq)}",
        "fence_key": f"county:{org.division_id}",
        "fence_label": "东湖区（执行地区县）",
        "lat_wgs84": 28.70,
        "lon_wgs84": 115.95,
    }
    values.update(extra)
    return Alert.objects.create(**values)


MATRIX = {
    "monitoring.Alert": MatrixCase(make=make_alert),
    "monitoring.Device": MatrixCase(make=make_device),
}

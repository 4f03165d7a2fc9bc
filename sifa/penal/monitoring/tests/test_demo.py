"""The demo data: devices for monitored supervisees and an engine-raised breach in 东湖区."""

from __future__ import annotations

import random
from types import SimpleNamespace
from typing import Any

import pytest

from sifa.penal.monitoring.models import Alert, AlertKind, AlertStatus, Device, Position
from sifa.penal.monitoring.testing import make_monitored

pytestmark = pytest.mark.django_db


def test_demo_registers_devices_tracks_and_one_open_breach(tree: Any) -> None:
    from sifa.penal.monitoring.demo import load

    shown = make_monitored(tree.donghu_office)
    make_monitored(tree.xunyang_office)
    unmonitored = make_monitored(tree.donghu_office, order=False)
    load(SimpleNamespace(rng=random.Random(3), size="small"))
    assert Device.objects.count() == 2
    assert not Device.objects.filter(supervisee=unmonitored).exists()  # Art 29: no order, no device
    assert Position.objects.filter(supervisee=shown).count() > 24
    breach = Alert.objects.get(kind=AlertKind.BREACH)
    assert breach.supervisee == shown and breach.status == AlertStatus.OPEN
    assert breach.ended_at is not None  # the track came back into the county

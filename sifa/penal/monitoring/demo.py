"""Demo monitoring data: a device for every demo supervisee under an active monitoring order, a
short synthetic track for each, and — in 东湖区 (360102) — a track that leaves the county and comes
back, fed through the real ingest pipeline so that the engine itself raises the open breach alert
the demo officers find in the alert list (and the justice office in its inbox).

Runs only when the corrections app and its demo supervisees exist.
"""

from __future__ import annotations

import math
import random
import time
from typing import Any

from django.apps import apps
from django.utils import timezone

MAX_DEVICES = 30
STEP_S = 300.0  # one fix every 5 minutes in the demo history


def _home(geometry: Any, rng: random.Random) -> tuple[float, float]:
    import numpy as np

    from .engine.synthetic import random_points_in

    # At least ~1.3 km from the border, so that everyday movement never looks like a breach.
    core = geometry.buffer(-0.012)
    area = core if not core.is_empty else geometry
    lon, lat = random_points_in(area, 1, np.random.default_rng(rng.randrange(1 << 30)))[0]
    return float(lat), float(lon)


def _wander(lat: float, lon: float, n: int, rng: random.Random) -> list[tuple[float, float]]:
    points = []
    for k in range(n):
        angle = k / 4.0
        points.append(
            (
                lat + (200 * math.sin(angle) + rng.gauss(0, 15)) / 111_320.0,
                lon + (200 * math.cos(angle) + rng.gauss(0, 15)) / (111_320.0 * math.cos(math.radians(lat))),
            )
        )
    return points


def load(ctx: Any) -> None:
    if not apps.is_installed("sifa.penal.corrections"):
        return
    from sifa.penal.corrections.models import Supervisee
    from sifa.penal.corrections.selectors import monitored_supervisee_ids

    from .engine import FixBatch
    from .engine.divisions import load_outline_wgs84
    from .engine.fixes import Fix
    from .ingest import PlatformEngine
    from .models import Device, DeviceKind, Protocol
    from .simulate import breach_route

    monitored = monitored_supervisee_ids(timezone.localdate())
    if not monitored:
        return
    supervisees = list(
        Supervisee.objects.filter(pk__in=monitored)
        .select_related("org")
        .order_by("residence_division_id", "pk")
    )
    supervisees.sort(key=lambda s: (s.residence_division_id != "360102", s.pk))
    supervisees = supervisees[:MAX_DEVICES]
    rng = random.Random(ctx.rng.random())
    engine = PlatformEngine()
    now = time.time()
    showcase_done = False
    for i, supervisee in enumerate(supervisees):
        device, _created = Device.objects.get_or_create(
            device_id=f"DEMO-{supervisee.pk:06d}",
            defaults={
                "supervisee": supervisee,
                "org": supervisee.org,
                "kind": DeviceKind.WRISTBAND if i % 3 == 0 else DeviceKind.PHONE,
                "protocol": Protocol.OSMAND,
            },
        )
        geometry = load_outline_wgs84(supervisee.residence_division_id)
        lat, lon = _home(geometry, rng)
        points = _wander(lat, lon, 24, rng)
        if supervisee.residence_division_id == "360102" and not showcase_done:
            # Out of the county (a straight drive to the nearest border and beyond), then back home.
            out = breach_route(geometry, lat, lon, 400.0)
            points += out + list(reversed(out)) + _wander(lat, lon, 6, rng)
            showcase_done = True
        start = now - STEP_S * (len(points) + 1)
        fixes = [
            Fix(
                device_id=device.device_id,
                ts=start + STEP_S * k,
                lat_wgs84=p[0],
                lon_wgs84=p[1],
                accuracy_m=rng.uniform(5, 20),
                battery_pct=max(25.0, 95.0 - 0.5 * k),
                speed_mps=1.0,
            )
            for k, p in enumerate(points)
        ]
        engine.ingest(FixBatch.from_fixes(fixes), now=now, transport=Protocol.OSMAND)

"""OsmAnd HTTP ingest end to end: decode → Art 29 → engine → positions, alerts, inbox.

Example messages follow the OsmAnd / Traccar Client protocol documentation
(https://www.traccar.org/osmand/): query string on GET, form body on POST, and the JSON body that
Traccar Client ≥ 9 sends (single location and batch).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any
from urllib.parse import urlencode

import pytest
import shapely
from django.utils import timezone
from rest_framework.test import APIClient

from sifa.penal.corrections.models import MonitoringOrder
from sifa.penal.monitoring.models import Alert, AlertKind, Device, Position, RejectedMessage
from sifa.penal.monitoring.testing import make_device, make_monitored

from .conftest import FAR_OUTSIDE, INSIDE, fix_times, osmand_url

URL = "/api/monitoring/osmand/"
pytestmark = pytest.mark.django_db


def get(params: dict[str, Any]) -> Any:
    return APIClient().get(f"{URL}?{urlencode(params)}")


def rejected(reason: str) -> int:
    return sum(r.count for r in RejectedMessage.objects.filter(reason=reason))


def test_query_string_get_stores_a_position(device: Device) -> None:
    (ts,) = fix_times(1)
    response = get(
        {
            "id": device.device_id,
            "lat": INSIDE[0],
            "lon": INSIDE[1],
            "timestamp": ts,
            "speed": 2.0,
            "bearing": 90,
            "altitude": 30,
            "accuracy": 12.5,
            "batt": 76.0,
        }
    )
    assert response.status_code == 200, response.content
    assert response.json()["stored"] == 1
    position = Position.objects.get(device=device)
    assert (position.lat_wgs84, position.lon_wgs84) == pytest.approx(INSIDE)
    assert position.ts == dt.datetime.fromtimestamp(ts, tz=dt.UTC)
    assert position.accuracy == 12.5 and position.battery == 76.0
    assert position.speed == pytest.approx(2.0 * 1852 / 3600)  # OsmAnd speed is in knots
    device.refresh_from_db()
    assert device.last_seen == position.ts and device.battery == 76.0


def test_form_post_and_location_parameter_variants(device: Device) -> None:
    t1, t2 = fix_times(2)
    body = urlencode(
        {
            "deviceid": device.device_id,
            "location": f"{INSIDE[0]},{INSIDE[1]}",
            "timestamp": dt.datetime.fromtimestamp(t1, tz=dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
        }
    )
    client = APIClient()
    r1 = client.post(URL, body, content_type="application/x-www-form-urlencoded")
    r2 = client.post(f"{URL}?id={device.device_id}&lat={INSIDE[0]}&lon={INSIDE[1]}&timestamp={t2 * 1000}")
    assert (r1.status_code, r2.status_code) == (200, 200), (r1.content, r2.content)
    assert list(Position.objects.order_by("ts").values_list("ts", flat=True)) == [
        dt.datetime.fromtimestamp(t, tz=dt.UTC) for t in (t1, t2)
    ]


def _traccar_json(device_id: str, ts: int, lat: float, lon: float, battery: float = 0.8) -> dict[str, Any]:
    return {
        "timestamp": dt.datetime.fromtimestamp(ts, tz=dt.UTC).isoformat().replace("+00:00", "Z"),
        "coords": {
            "latitude": lat,
            "longitude": lon,
            "accuracy": 8.0,
            "speed": -1,
            "heading": -1,
            "altitude": 25.0,
        },
        "is_moving": True,
        "odometer": 0,
        "event": "motionchange",
        "battery": {"level": battery, "is_charging": False},
        "activity": {"type": "walking"},
        "extras": {},
    }


def test_traccar_json_body_single_and_batch(device: Device) -> None:
    t1, t2, t3 = fix_times(3, spacing_s=60)
    client = APIClient()
    single = {"location": _traccar_json(device.device_id, t1, *INSIDE), "device_id": device.device_id}
    batch = {
        "location": [_traccar_json(device.device_id, t, INSIDE[0] + 0.001, INSIDE[1]) for t in (t2, t3)],
        "device_id": device.device_id,
    }
    r1 = client.post(URL, json.dumps(single), content_type="application/json")
    r2 = client.post(URL, json.dumps(batch), content_type="application/json")
    assert (r1.status_code, r2.status_code) == (200, 200), (r1.content, r2.content)
    rows = list(Position.objects.order_by("ts"))
    assert len(rows) == 3
    assert rows[0].battery == pytest.approx(80.0)  # level 0..1 → percent
    assert rows[0].speed is None  # iOS reports -1 for "unknown"


def test_unknown_device_is_rejected_and_counted(tree: Any) -> None:
    (ts,) = fix_times(1)
    response = get({"id": "not-registered", "lat": INSIDE[0], "lon": INSIDE[1], "timestamp": ts})
    assert response.status_code == 403
    assert not Position.objects.exists()
    assert rejected("unknown_device") == 1


def test_inactive_device_is_unknown(device: Device) -> None:
    Device.objects.filter(pk=device.pk).update(active=False)
    (ts,) = fix_times(1)
    assert (
        get({"id": device.device_id, "lat": INSIDE[0], "lon": INSIDE[1], "timestamp": ts}).status_code == 403
    )
    assert not Position.objects.exists()


def test_malformed_message_names_the_field_and_is_counted(device: Device) -> None:
    response = get({"id": device.device_id, "lat": "north", "lon": INSIDE[1]})
    assert response.status_code == 400
    assert "lat" in response.json()["detail"]
    assert rejected("malformed") == 1 and not Position.objects.exists()


def test_art29_no_active_order_position_is_refused(tree: Any) -> None:
    """社区矫正法 Art 29: without an approved order covering the fix, nothing is stored."""
    device = make_device(tree.donghu_office, supervisee=make_monitored(tree.donghu_office, order=False))
    (ts,) = fix_times(1)
    response = get({"id": device.device_id, "lat": INSIDE[0], "lon": INSIDE[1], "timestamp": ts})
    assert response.status_code == 200  # the phone must drop it rather than buffer personal data
    assert response.json()["rejected"] == {"no_active_order": 1}
    assert not Position.objects.exists()
    assert rejected("no_active_order") == 1


def test_art29_lifted_or_pending_order_refuses_and_order_date_counts(device: Device) -> None:
    """Art 29: a lifted order stops storage from its lifting day; a fix before the order is refused."""
    order = MonitoringOrder.objects.get(supervisee=device.supervisee)
    today = timezone.localdate()
    order.start_date = today
    order.save()
    before_order = int(
        timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=1), dt.time(12))).timestamp()
    )
    assert get(
        {"id": device.device_id, "lat": INSIDE[0], "lon": INSIDE[1], "timestamp": before_order}
    ).json()["rejected"] == {"no_active_order": 1}
    order.lifted_on = today
    order.save()
    (ts,) = fix_times(1, spacing_s=1)
    get({"id": device.device_id, "lat": INSIDE[0], "lon": INSIDE[1], "timestamp": ts})
    assert not Position.objects.exists()
    assert rejected("no_active_order") == 2


def test_device_token_is_checked_when_one_was_registered(tree: Any) -> None:
    device = make_device(tree.donghu_office, token="s3cret-token-value")
    t1, t2 = fix_times(2, spacing_s=60)
    base = {"id": device.device_id, "lat": INSIDE[0], "lon": INSIDE[1]}
    assert get({**base, "timestamp": t1}).status_code == 403
    assert get({**base, "timestamp": t1, "token": "wrong"}).status_code == 403
    assert get({**base, "timestamp": t2, "token": "s3cret-token-value"}).status_code == 200
    assert Position.objects.count() == 1 and rejected("bad_token") == 2


def test_flood_from_one_device_is_rate_limited_and_counted(device: Device) -> None:
    times = fix_times(200, spacing_s=1)
    body = {
        "location": [_traccar_json(device.device_id, t, *INSIDE) for t in times],
        "device_id": device.device_id,
    }
    response = APIClient().post(URL, json.dumps(body), content_type="application/json")
    assert response.status_code == 200
    stored = Position.objects.count()
    assert 0 < stored < 200
    assert rejected("rate_limited") == 200 - stored


def _walk(device: Device, points: list[tuple[float, float]], times: list[int]) -> None:
    client = APIClient()
    for (lat, lon), ts in zip(points, times, strict=True):
        response = client.get(osmand_url(device, lat, lon, ts, accuracy=10))
        assert response.status_code == 200, response.content


def test_breach_creates_one_alert_and_a_replay_creates_none(device: Device) -> None:
    """Leaving the county of residence (Art 29 ground: 未经批准离开所居住的市、县) raises one breach;
    the same messages again — a retried upload, a restarted worker — raise nothing new."""
    points = [INSIDE] * 3 + [FAR_OUTSIDE] * 4
    times = fix_times(len(points))
    _walk(device, points, times)
    breaches = Alert.objects.filter(kind=AlertKind.BREACH)
    assert breaches.count() == 1
    alert = breaches.get()
    assert alert.org == device.supervisee.org and alert.fence_key == "county:360102"
    assert alert.occurred_at == dt.datetime.fromtimestamp(times[3], tz=dt.UTC)
    assert Position.objects.count() == 7

    _walk(device, points, times)  # the same upload again: duplicates, no new alert
    assert Alert.objects.filter(kind=AlertKind.BREACH).count() == 1
    assert Position.objects.count() == 7

    # A worker that lost the device's state re-evaluates everything: same keys, still one alert.
    Device.objects.filter(pk=device.pk).update(engine_state={})
    _walk(device, points, times)
    assert Alert.objects.filter(kind=AlertKind.BREACH).count() == 1


def test_border_jitter_needs_consecutive_points(device: Device) -> None:
    """Hysteresis: fixes just outside the border (within the distance margin) must repeat N times
    in a row before a breach; one or two stray fixes do nothing."""
    from sifa.penal.monitoring.engine.divisions import load_outline_wgs84

    outline = load_outline_wgs84("360102")
    # The easternmost vertex; 60 m further east is outside, and nothing of the county lies beyond.
    east = max(outline.geoms if hasattr(outline, "geoms") else [outline], key=lambda g: g.bounds[2])
    lon_e, lat_e = max(east.exterior.coords, key=lambda c: c[0])
    near_out = (lat_e, lon_e + 0.0006)
    near_in = (lat_e, lon_e - 0.003)
    assert shapely.contains_xy(outline, near_in[1], near_in[0])
    assert not shapely.contains_xy(outline, near_out[1], near_out[0])
    points = [near_in, near_out, near_out, near_in, near_out, near_out, near_in]
    base = int(time.time()) - 3600
    _walk(device, points, [base + 60 * i for i in range(len(points))])
    assert not Alert.objects.filter(kind=AlertKind.BREACH).exists()
    _walk(device, [near_out] * 3, [base + 600 + 60 * i for i in range(3)])
    assert Alert.objects.filter(kind=AlertKind.BREACH).count() == 1


def test_low_battery_raises_an_alert_once(device: Device) -> None:
    times = fix_times(3, spacing_s=60)
    client = APIClient()
    for ts, batt in zip(times, (50, 15, 12), strict=True):
        client.get(osmand_url(device, *INSIDE, ts, batt=batt))
    assert list(Alert.objects.values_list("kind", flat=True)) == [AlertKind.LOW_BATTERY]


def test_approved_leave_lifts_the_county_fence(device: Device) -> None:
    """Art 27: an approved leave (外出) covering today is not a breach of the county of residence."""
    from sifa.penal.corrections.models import ApprovalStatus, LeaveApplication

    today = timezone.localdate()
    LeaveApplication.objects.create(
        supervisee=device.supervisee,
        destination="九江市",
        reason="探亲",
        start_date=today,
        end_date=today + dt.timedelta(days=2),
        days=3,
        days_in_window=3,
        tier="office",
        applied_on=today,
        status=ApprovalStatus.APPROVED,
    )
    points = [INSIDE] * 2 + [FAR_OUTSIDE] * 4
    _walk(device, points, fix_times(len(points)))
    assert not Alert.objects.filter(kind=AlertKind.BREACH).exists()
    assert Position.objects.count() == 6


def test_query_budget_of_one_osmand_request(device: Device, django_assert_max_num_queries: Any) -> None:
    """Lock devices, order check, fences, leave, insert positions, save state (+ savepoints)."""
    t1, t2 = fix_times(2, spacing_s=60)
    APIClient().get(osmand_url(device, *INSIDE, t1))
    with django_assert_max_num_queries(10):
        response = APIClient().get(osmand_url(device, *INSIDE, t2))
    assert response.json()["stored"] == 1

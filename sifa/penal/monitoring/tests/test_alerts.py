"""Alerts after they are raised: the justice office's inbox, acknowledge, close with a note,
escalation to the county bureau, the offline scan, and the map pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from sifa.penal.monitoring.models import Alert, AlertKind, AlertStatus, Device, Fence, FenceKind
from sifa.penal.monitoring.services import (
    acknowledge_alert,
    add_fence,
    close_alert,
    escalate_overdue_alerts,
    scan_offline_devices,
)
from sifa.penal.monitoring.testing import make_alert
from sifa.platform.accounts.roles import Role
from sifa.platform.audit.models import PersonalDataAccess
from sifa.platform.testing.tree import make_user
from sifa.platform.workflow.models import Notification, Task, TaskStatus
from sifa.platform.workflow.selectors import inbox_tasks

from .conftest import FAR_OUTSIDE, INSIDE, fix_times, osmand_url

pytestmark = pytest.mark.django_db


def breach_via_http(device: Device) -> Alert:
    client = APIClient()
    for (lat, lon), ts in zip([INSIDE, INSIDE, FAR_OUTSIDE, FAR_OUTSIDE], fix_times(4), strict=True):
        client.get(osmand_url(device, lat, lon, ts))
    return Alert.objects.get(kind=AlertKind.BREACH)


def test_breach_lands_in_the_justice_office_inbox(device: Device, office_user: Any, users: Any) -> None:
    alert = breach_via_http(device)
    tasks = list(inbox_tasks(office_user))
    assert [t.object_id for t in tasks] == [str(alert.pk)]
    assert tasks[0].url == reverse("monitoring:alert-detail", args=[alert.pk])
    # Another county's staff neither have the task nor see the alert.
    assert not inbox_tasks(users["xunyang_staff"]).exists()
    assert not Alert.objects.restrict(users["xunyang_staff"], "view").exists()


def test_acknowledge_then_close_with_note_closes_the_task(device: Device, office_user: Any) -> None:
    alert = breach_via_http(device)
    acknowledge_alert(acting_user=office_user, alert=alert)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED and alert.acknowledged_by == office_user
    close_alert(acting_user=office_user, alert=alert, note="已电话联系，系就医外出，已返回。")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CLOSED and alert.closed_by == office_user
    assert not Task.objects.filter(object_id=str(alert.pk), status=TaskStatus.OPEN).exists()


def test_close_without_note_is_a_field_error_and_changes_nothing(tree: Any, office_user: Any) -> None:
    alert = make_alert(tree.donghu_office)
    with pytest.raises(ValidationError) as err:
        close_alert(acting_user=office_user, alert=alert, note="   ")
    assert "note" in err.value.message_dict
    client = Client()
    client.force_login(office_user)
    response = client.post(reverse("monitoring:alert-close", args=[alert.pk]), {"note": ""})
    assert response.status_code == 400
    assert 'data-testid="note-error"' in response.content.decode()
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN and alert.closed_at is None


def test_pages_acknowledge_and_close(tree: Any, office_user: Any) -> None:
    alert = make_alert(tree.donghu_office)
    client = Client()
    client.force_login(office_user)
    detail = client.get(reverse("monitoring:alert-detail", args=[alert.pk]))
    assert detail.status_code == 200 and 'data-testid="alert-acknowledge"' in detail.content.decode()
    assert client.post(reverse("monitoring:alert-acknowledge", args=[alert.pk])).status_code == 302
    response = client.post(reverse("monitoring:alert-close", args=[alert.pk]), {"note": "已核实，误报"})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CLOSED and alert.close_note == "已核实，误报"


def test_other_jurisdiction_cannot_close(tree: Any, users: Any) -> None:
    alert = make_alert(tree.donghu_office)
    client = Client()
    client.force_login(users["xunyang_staff"])
    assert client.post(reverse("monitoring:alert-close", args=[alert.pk]), {"note": "x"}).status_code == 404
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


def test_unacknowledged_alert_escalates_to_the_county_bureau_head(
    tree: Any, office_user: Any, county_head: Any, settings: Any
) -> None:
    settings.SIFA_MONITORING_ESCALATE_MINUTES = 30
    fresh = make_alert(tree.donghu_office)
    old = make_alert(tree.donghu_office)
    acked = make_alert(tree.donghu_office)
    Alert.objects.filter(pk__in=[old.pk, acked.pk]).update(
        created_at=timezone.now() - dt.timedelta(minutes=31)
    )
    acknowledge_alert(acting_user=office_user, alert=acked)

    assert escalate_overdue_alerts() == 1
    old.refresh_from_db()
    assert old.status == AlertStatus.ESCALATED and old.escalated_to == tree.donghu
    assert [t.object_id for t in inbox_tasks(county_head)] == [str(old.pk)]
    assert Notification.objects.filter(user=county_head).count() == 1
    assert Alert.objects.get(pk=fresh.pk).status == AlertStatus.OPEN
    assert Alert.objects.get(pk=acked.pk).status == AlertStatus.ACKNOWLEDGED
    assert escalate_overdue_alerts() == 0  # idempotent
    # The head can still close it; both inbox tasks are then done.
    close_alert(acting_user=county_head, alert=old, note="已责令司法所核查")
    assert not Task.objects.filter(object_id=str(old.pk), status=TaskStatus.OPEN).exists()


def test_escalation_task_runs_through_celery_task(tree: Any, county_head: Any) -> None:
    from sifa.penal.monitoring.tasks import escalate_alerts

    alert = make_alert(tree.donghu_office)
    Alert.objects.filter(pk=alert.pk).update(created_at=timezone.now() - dt.timedelta(hours=2))
    assert escalate_alerts.apply().get() == {"escalated": 1}
    assert inbox_tasks(county_head).count() == 1


def test_offline_device_raises_one_alert(device: Device, settings: Any) -> None:
    settings.SIFA_MONITORING_OFFLINE_MINUTES = 30
    Device.objects.filter(pk=device.pk).update(last_seen=timezone.now() - dt.timedelta(minutes=45))
    assert scan_offline_devices() == 1
    assert scan_offline_devices() == 0  # the same silence is one alert
    alert = Alert.objects.get(kind=AlertKind.OFFLINE)
    assert alert.device == device and Task.objects.filter(object_id=str(alert.pk)).exists()


def test_offline_scan_ignores_supervisees_without_an_order(tree: Any) -> None:
    """Art 29: no order, no monitoring — and no offline alerts either."""
    from sifa.penal.monitoring.testing import make_device, make_monitored

    device = make_device(tree.donghu_office, supervisee=make_monitored(tree.donghu_office, order=False))
    Device.objects.filter(pk=device.pk).update(last_seen=timezone.now() - dt.timedelta(days=1))
    assert scan_offline_devices() == 0


def test_curfew_circle_fence_breach(device: Device, office_user: Any) -> None:
    """A curfew (宵禁) fence active all day for the test: being away from home is a curfew breach."""
    fence = add_fence(
        acting_user=office_user,
        supervisee=device.supervisee,
        name="住所",
        kind=FenceKind.CURFEW,
        center=INSIDE,
        radius_m=150,
        window=(dt.time(0, 0), dt.time(23, 59)),
    )
    away = (INSIDE[0] + 0.01, INSIDE[1])  # ~1.1 km north, still inside the county
    client = APIClient()
    for (lat, lon), ts in zip([INSIDE, away, away, away], fix_times(4), strict=True):
        client.get(osmand_url(device, lat, lon, ts))
    alert = Alert.objects.get(kind=AlertKind.CURFEW)
    assert alert.fence == fence and alert.fence_label == "住所"
    assert not Alert.objects.filter(kind=AlertKind.BREACH).exists()


def test_exclusion_zone_in_gcj02_is_converted(device: Device, office_user: Any) -> None:
    """A fence drawn on a GCJ-02 web map is converted to WGS-84 before it meets device fixes."""
    from sifa.penal.monitoring.engine import wgs84_to_gcj02

    victim = (INSIDE[0] + 0.005, INSIDE[1])
    glon, glat = wgs84_to_gcj02(victim[1], victim[0])
    add_fence(
        acting_user=office_user,
        supervisee=device.supervisee,
        name="被害人住址",
        datum="GCJ-02",
        kind=FenceKind.EXCLUSION_ZONE,
        center=(float(glat), float(glon)),
        radius_m=200,
    )
    client = APIClient()
    for (lat, lon), ts in zip([INSIDE, victim, victim, victim], fix_times(4), strict=True):
        client.get(osmand_url(device, lat, lon, ts))
    assert Alert.objects.get(kind=AlertKind.BREACH).fence_label == "被害人住址"


def test_track_map_renders_outline_fences_track_and_logs_the_read(device: Device, office_user: Any) -> None:
    breach_via_http(device)
    Fence.objects.create(
        supervisee=device.supervisee,
        name="学校",
        kind=FenceKind.EXCLUSION_ZONE,
        center_lat=INSIDE[0],
        center_lon=INSIDE[1] + 0.01,
        radius_m=300,
    )
    client = Client()
    client.force_login(office_user)
    response = client.get(reverse("monitoring:track", args=[device.supervisee_id]))
    assert response.status_code == 200
    data = response.context["map_data"]
    assert data["datum"] == "WGS-84" and data["outline"]["type"] in ("Polygon", "MultiPolygon")
    assert len(data["track"]) == 4 and [e["kind"] for e in data["events"]].count("breach") == 1
    html = response.content.decode()
    assert 'id="track-data"' in html and '"outline"' in html and "学校" in html
    assert "vendor/leaflet/leaflet.js" in html
    assert PersonalDataAccess.objects.filter(actor=office_user, field="track").count() == 1


def test_track_map_is_not_shown_without_the_permission(device: Device, tree: Any) -> None:
    lawyer = make_user("mon_lawyer", Role.LAWYER, tree.donghu_office)
    client = Client()
    client.force_login(lawyer)
    assert client.get(reverse("monitoring:track", args=[device.supervisee_id])).status_code == 403


def test_province_map_counts_open_alerts_by_county(tree: Any, users: Any) -> None:
    make_alert(tree.donghu_office)
    make_alert(tree.donghu_office)
    make_alert(tree.donghu_office, status=AlertStatus.CLOSED)
    client = Client()
    client.force_login(users["province_admin"])
    response = client.get(reverse("monitoring:province-map"))
    assert response.status_code == 200
    counts = {
        f["properties"]["code"]: f["properties"]["count"] for f in response.context["map_data"]["features"]
    }
    assert counts["360102"] == 2 and counts["360402"] == 0
    other = Client()
    other.force_login(users["xunyang_staff"])
    mine = other.get(reverse("monitoring:province-map")).context["map_data"]["features"]
    assert all(f["properties"]["count"] == 0 for f in mine)


def test_alert_list_filters_and_exports(tree: Any, office_user: Any) -> None:
    make_alert(tree.donghu_office)
    make_alert(tree.donghu_office, kind=AlertKind.LOW_BATTERY)
    client = Client()
    client.force_login(office_user)
    page = client.get(reverse("monitoring:alert-list"), {"kind": "low_battery"})
    assert page.status_code == 200 and len(page.context["rows"]) == 1
    export = client.get(reverse("monitoring:alert-list"), {"export": "csv"})
    assert export.status_code == 200 and "越界" in export.content.decode("utf-8-sig")


def test_dashboard_card_and_breach_counts_for_corrections_statistics(
    tree: Any, office_user: Any, users: Any
) -> None:
    from sifa.penal.monitoring.dashboard import cards
    from sifa.penal.monitoring.selectors import breach_counts

    make_alert(tree.donghu_office)
    make_alert(tree.donghu_office, kind=AlertKind.LOW_BATTERY, status=AlertStatus.CLOSED)
    assert cards(office_user)[0].value == 1
    assert cards(users["xunyang_staff"])[0].value == 0
    make_alert(tree.donghu_office, occurred_at=timezone.now() - dt.timedelta(days=1))
    make_alert(tree.donghu_office, occurred_at=timezone.now() - dt.timedelta(days=15))
    weeks = breach_counts(office_user, timezone.localdate() - dt.timedelta(days=21))
    assert all(week.weekday() == 0 for week in weeks)  # keyed by Monday
    assert sum(weeks.values()) == 3 and max(weeks.values()) >= 1
    assert breach_counts(users["xunyang_staff"], timezone.localdate() - dt.timedelta(days=21)) == {}


def test_register_a_device_with_a_token_shown_once(tree: Any, office_user: Any) -> None:
    from sifa.penal.monitoring.testing import make_monitored

    supervisee = make_monitored(tree.donghu_office)
    unmonitored = make_monitored(tree.donghu_office, order=False)
    client = Client()
    client.force_login(office_user)
    form = client.get(reverse("monitoring:device-create")).context["form"]
    assert list(form.fields["supervisee"].queryset) == [supervisee]  # Art 29: only under an order
    response = client.post(
        reverse("monitoring:device-create"),
        {
            "supervisee": supervisee.pk,
            "device_id": "867530012345678",
            "kind": "wristband",
            "protocol": "osmand",
            "with_token": "on",
        },
    )
    assert response.status_code == 200
    token = response.context["token"]
    device = Device.objects.get(device_id="867530012345678")
    assert device.token_hash and token not in device.token_hash and device.token_matches(token)
    duplicate = client.post(
        reverse("monitoring:device-create"),
        {"supervisee": supervisee.pk, "device_id": "867530012345678", "kind": "phone", "protocol": "mqtt"},
    )
    assert "device_id" in duplicate.context["form"].errors
    refused = client.post(
        reverse("monitoring:device-create"),
        {"supervisee": unmonitored.pk, "device_id": "x-1", "kind": "phone", "protocol": "mqtt"},
    )
    assert "supervisee" in refused.context["form"].errors
    assert Device.objects.count() == 1


def test_juvenile_supervisee_track_and_alerts_hidden_from_general_staff(tree: Any, office_user: Any) -> None:
    """Arts 52–58: juvenile records are confidential — office staff without view_juvenile get 404."""
    alert = make_alert(tree.donghu_office)
    type(alert.supervisee).objects.filter(pk=alert.supervisee_id).update(is_juvenile=True)
    officer = make_user("mon_officer", Role.OFFICER, tree.donghu_office)  # corrections officers may see them
    staff, allowed = Client(), Client()
    staff.force_login(office_user)
    allowed.force_login(officer)
    assert staff.get(reverse("monitoring:track", args=[alert.supervisee_id])).status_code == 404
    assert staff.get(reverse("monitoring:alert-detail", args=[alert.pk])).status_code == 404
    assert allowed.get(reverse("monitoring:track", args=[alert.supervisee_id])).status_code == 200
    assert allowed.get(reverse("monitoring:alert-detail", args=[alert.pk])).status_code == 200

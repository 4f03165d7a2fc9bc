"""Every write of the monitoring app outside the ingest hot path: devices, fences, alert handling,
escalation and the offline scan. Keyword-only, atomic, audited.

Alerts flow (社区矫正法 Art 29 — location data serve correction work only, so an alert goes to
the people who supervise the person, nobody else):

* raised by ingest (or the offline scan) → an inbox task for the justice office's staff;
* acknowledged (someone is on it) → closed with a note (what was done);
* not acknowledged within ``SIFA_MONITORING_ESCALATE_MINUTES`` → escalated: a task for the head of
  the county bureau above the office, and in-app notifications to the bureau's heads.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sifa.penal.corrections.models import Supervisee
from sifa.platform.accounts.roles import Role
from sifa.platform.audit.models import ChangeAction
from sifa.platform.audit.services import record_change, snapshot
from sifa.platform.orgs.models import DivisionLevel, Org, OrgKind
from sifa.platform.orgs.scoping import ensure_in_scope

from .models import (
    ACTIONABLE_KINDS,
    Alert,
    AlertKind,
    AlertStatus,
    Datum,
    Device,
    DeviceKind,
    Fence,
    FenceKind,
    Protocol,
    hash_token,
)

ART_29 = "《社区矫正法》第二十九条"


# -- configuration (environment → settings; values marked [S] in STATUTORY_RULES are local rules) --
@dataclass(frozen=True)
class MonitoringSettings:
    escalate_after_min: int
    offline_after_min: int
    low_battery_pct: float
    hysteresis_points: int
    hysteresis_margin_m: float
    ingest_rate: str


def monitoring_settings() -> MonitoringSettings:
    return MonitoringSettings(
        escalate_after_min=int(getattr(settings, "SIFA_MONITORING_ESCALATE_MINUTES", 30)),
        offline_after_min=int(getattr(settings, "SIFA_MONITORING_OFFLINE_MINUTES", 30)),
        low_battery_pct=float(getattr(settings, "SIFA_MONITORING_LOW_BATTERY_PCT", 20)),
        hysteresis_points=int(getattr(settings, "SIFA_MONITORING_HYSTERESIS_POINTS", 3)),
        hysteresis_margin_m=float(getattr(settings, "SIFA_MONITORING_HYSTERESIS_MARGIN_M", 300)),
        ingest_rate=str(getattr(settings, "SIFA_MONITORING_INGEST_RATE", "6000/min")),
    )


def _require(user: Any, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied(_("您没有该操作的权限。"))


def county_bureau_of(org: Org) -> Org | None:
    """The county justice bureau at or above ``org`` (the office's supervising bureau)."""
    ids = [int(x) for x in org.path.strip("/").split("/") if x]
    return (
        Org.objects.filter(pk__in=ids, kind=OrgKind.JUSTICE_BUREAU, division__level=DivisionLevel.COUNTY)
        .order_by("-depth")
        .first()
    )


# -- devices and fences ------------------------------------------------------------------------------
def register_device(
    *,
    acting_user: Any,
    supervisee: Supervisee,
    device_id: str,
    kind: str = DeviceKind.PHONE,
    protocol: str = Protocol.OSMAND,
    with_token: bool = False,
) -> tuple[Device, str]:
    """Bind a device to a supervisee. Returns the device and, with ``with_token``, the clear token
    (shown once; only its hash is kept)."""
    _require(acting_user, "monitoring.add_device")
    device_id = (device_id or "").strip()
    errors: dict[str, str] = {}
    if not device_id or len(device_id) > 64 or any(c in device_id for c in "/+#\x00 "):
        errors["device_id"] = _("设备编号须为1–64个字符，且不含空格和 / + #。")
    if kind not in DeviceKind.values:
        errors["kind"] = _("设备类型不正确。")
    if protocol not in Protocol.values:
        errors["protocol"] = _("协议不正确。")
    if errors:
        raise ValidationError(errors)
    token = secrets.token_urlsafe(24) if with_token else ""
    with transaction.atomic():
        try:
            with transaction.atomic():
                device = Device.objects.create(
                    device_id=device_id,
                    kind=kind,
                    protocol=protocol,
                    supervisee=supervisee,
                    org=supervisee.org,
                    token_hash=hash_token(token) if token else "",
                )
        except IntegrityError:
            raise ValidationError({"device_id": _("该设备编号已登记。")}) from None
        ensure_in_scope(acting_user, device, "add")
        record_change(actor=acting_user, obj=device, action=ChangeAction.CREATE)
    return device, token


def add_fence(
    *,
    acting_user: Any,
    supervisee: Supervisee,
    name: str,
    kind: str,
    geometry: dict[str, Any] | None = None,
    center: tuple[float, float] | None = None,
    radius_m: float | None = None,
    window: tuple[dt.time, dt.time] | None = None,
    datum: str = Datum.WGS84,
) -> Fence:
    """A polygon (GeoJSON Polygon/MultiPolygon) or a circle (centre lat, lon + radius) fence."""
    _require(acting_user, "monitoring.add_fence")
    errors: dict[str, str] = {}
    if not (name or "").strip():
        errors["name"] = _("请填写围栏名称。")
    if kind not in FenceKind.values:
        errors["kind"] = _("围栏类型不正确。")
    if datum not in Datum.values:
        errors["datum"] = _("坐标系须为 WGS-84 或 GCJ-02。")
    if (geometry is None) == (center is None):
        errors["geometry"] = _("须提供多边形或圆（圆心与半径）之一。")
    elif geometry is not None and geometry.get("type") not in ("Polygon", "MultiPolygon"):
        errors["geometry"] = _("多边形须为 GeoJSON Polygon 或 MultiPolygon。")
    elif center is not None:
        lat, lon = center
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            errors["center"] = _("圆心坐标超出范围。")
        if not radius_m or radius_m <= 0:
            errors["radius_m"] = _("半径须大于0。")
    if window is not None and window[0] == window[1]:
        errors["window"] = _("生效时段的开始与结束不能相同。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        fence = Fence.objects.create(
            supervisee=supervisee,
            name=name.strip()[:100],
            kind=kind,
            datum=datum,
            geometry=geometry,
            center_lat=center[0] if center else None,
            center_lon=center[1] if center else None,
            radius_m=radius_m if center else None,
            window_start=window[0] if window else None,
            window_end=window[1] if window else None,
            created_by=acting_user if getattr(acting_user, "pk", None) else None,
        )
        ensure_in_scope(acting_user, fence, "add")
        record_change(actor=acting_user, obj=fence, action=ChangeAction.CREATE)
    return fence


# -- alerts ------------------------------------------------------------------------------------------
def alert_title(alert: Alert) -> str:
    where = f"（{alert.fence_label}）" if alert.fence_label else ""
    return _("定位预警：%(name)s %(kind)s%(where)s") % {
        "name": alert.supervisee.name,
        "kind": alert.get_kind_display(),
        "where": where,
    }


def put_in_inbox(alert: Alert) -> None:
    """The justice office's inbox (workflow task for its staff). Called inside the alert's transaction."""
    from sifa.platform.workflow.services import open_task

    open_task(
        acting_user=None,
        title=alert_title(alert),
        org=alert.org,
        obj=alert,
        assignee_role=Role.OFFICE_STAFF,
        due_date=timezone.localdate(),
    )


def create_alert(*, values: dict[str, Any]) -> tuple[Alert, bool]:
    """Idempotent on ``values['key']``: the second call with the same key returns the first row.

    A savepoint around the insert makes a concurrent duplicate (two workers, a redelivery) fall back
    to the existing row instead of failing the batch.
    """
    key = values["key"]
    existing = Alert.objects.filter(key=key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            alert = Alert.objects.create(**values)
    except IntegrityError:
        return Alert.objects.get(key=key), False
    if alert.kind in ACTIONABLE_KINDS:
        put_in_inbox(alert)
    record_change(actor=None, obj=alert, action=ChangeAction.CREATE, note="raised by monitoring")
    return alert, True


def _locked_alert(user: Any, alert: Alert | int) -> Alert:
    pk = alert.pk if isinstance(alert, Alert) else alert
    _require(user, "monitoring.change_alert")
    return Alert.objects.restrict(user, "change").select_for_update(of=("self",)).get(pk=pk)


def acknowledge_alert(*, acting_user: Any, alert: Alert | int) -> Alert:
    """Someone in the jurisdiction takes the alert on; it stops the escalation timer."""
    with transaction.atomic():
        try:
            row = _locked_alert(acting_user, alert)
        except Alert.DoesNotExist:
            raise ValidationError({"alert": _("预警不存在。")}) from None
        if not row.can_acknowledge:
            raise ValidationError({"status": _("该预警已确认或已关闭。")})
        before = snapshot(row)
        row.status = AlertStatus.ACKNOWLEDGED
        row.acknowledged_by, row.acknowledged_at = acting_user, timezone.now()
        row.save(update_fields=["status", "acknowledged_by", "acknowledged_at"])
        record_change(
            actor=acting_user, obj=row, action=ChangeAction.UPDATE, before=before, note="acknowledge"
        )
    return row


def close_alert(*, acting_user: Any, alert: Alert | int, note: str) -> Alert:
    """Close with a note saying what was done (required); the alert's inbox tasks are done."""
    from sifa.platform.workflow.services import close_tasks

    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请填写处置说明。")})
    with transaction.atomic():
        try:
            row = _locked_alert(acting_user, alert)
        except Alert.DoesNotExist:
            raise ValidationError({"alert": _("预警不存在。")}) from None
        if not row.can_close:
            raise ValidationError({"status": _("该预警已关闭。")})
        before = snapshot(row)
        now = timezone.now()
        if row.acknowledged_at is None:
            row.acknowledged_by, row.acknowledged_at = acting_user, now
        row.status = AlertStatus.CLOSED
        row.closed_by, row.closed_at, row.close_note = acting_user, now, note[:1000]
        row.save()
        close_tasks(acting_user=acting_user, obj=row)
        record_change(actor=acting_user, obj=row, action=ChangeAction.UPDATE, before=before, note="close")
    return row


def escalate_overdue_alerts(*, now: dt.datetime | None = None) -> int:
    """Alerts still OPEN (unacknowledged) after the configured minutes go to the county bureau:
    a task for its head and an in-app notification to each head. Idempotent (status guard)."""
    from sifa.platform.workflow.services import notify, open_task
    from sifa.platform.workflow.services.inbox import recipients

    now = now or timezone.now()
    limit = now - dt.timedelta(minutes=monitoring_settings().escalate_after_min)
    due = list(
        Alert.objects.filter(status=AlertStatus.OPEN, created_at__lte=limit).values_list("pk", flat=True)[
            :1000
        ]
    )
    escalated = 0
    for pk in due:
        with transaction.atomic():
            row = (
                Alert.objects.select_for_update(of=("self",))
                .select_related("supervisee", "org")
                .filter(pk=pk, status=AlertStatus.OPEN)
                .first()
            )
            if row is None:
                continue
            bureau = county_bureau_of(row.org) or row.org
            before = snapshot(row)
            row.status = AlertStatus.ESCALATED
            row.escalated_at, row.escalated_to = now, bureau
            row.save(update_fields=["status", "escalated_at", "escalated_to"])
            task = open_task(
                acting_user=None,
                title=_("【上报】") + alert_title(row),
                org=bureau,
                obj=row,
                assignee_role=Role.BUREAU_HEAD,
                due_date=timezone.localdate(),
            )
            for user in recipients(task):
                notify(
                    user=user, text=task.title, url=task.url, key=f"monitoring-escalated-{row.pk}-{user.pk}"
                )
            record_change(actor=None, obj=row, action=ChangeAction.UPDATE, before=before, note="escalate")
            escalated += 1
    return escalated


def scan_offline_devices(*, now: dt.datetime | None = None) -> int:
    """OFFLINE alerts for devices of monitored supervisees silent for the configured minutes.

    The key is the engine's (device|offline||time of the last fix), so one silence gives one alert
    however often the scan runs; a device that never reported counts from its registration.
    """
    from sifa.penal.corrections.selectors import monitored_supervisee_ids

    from .engine import EventType, idempotency_key

    now = now or timezone.now()
    limit = now - dt.timedelta(minutes=monitoring_settings().offline_after_min)
    devices = list(
        Device.objects.filter(active=True)
        .exclude(last_seen__gt=limit)
        .exclude(last_seen__isnull=True, created_at__gt=limit)
        .select_related("supervisee")
    )
    if not devices:
        return 0
    monitored = monitored_supervisee_ids(now, among={d.supervisee_id for d in devices})
    raised = 0
    for device in devices:
        if device.supervisee_id not in monitored:
            continue
        since = device.last_seen or device.created_at
        key = idempotency_key(device.device_id, EventType.OFFLINE, "", since.timestamp())
        with transaction.atomic():
            _alert, created = create_alert(
                values={
                    "key": key,
                    "supervisee": device.supervisee,
                    "device": device,
                    "org": device.supervisee.org,
                    "kind": AlertKind.OFFLINE,
                    "occurred_at": since,
                    "detail": {"silent_min": round((now - since).total_seconds() / 60.0, 1)},
                }
            )
        raised += int(created)
    return raised

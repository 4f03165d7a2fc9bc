"""Electronic monitoring (电子定位) data: devices, positions, geofences, alerts, rejection counters.

Every row belongs to a supervisee and is scoped through the supervisee's justice office; the
corrections queryset also hides juvenile supervisees' rows from roles that may not see them
(Arts 52–58). Positions exist only while an approved monitoring order covers the fix (Art 29):
``ingest`` refuses the rest and counts them in :class:`RejectedMessage`.

Datum: every coordinate stored here is WGS-84 (what devices report), except where a fence's
``datum`` says GCJ-02 (drawn on a Chinese web map); fences are converted to WGS-84 when loaded.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sifa.penal.corrections.models import Supervisee
from sifa.penal.corrections.models.base import CorrectionsQuerySet
from sifa.platform.orgs.models import Org


class DeviceKind(models.TextChoices):
    PHONE = "phone", _("手机")
    WRISTBAND = "wristband", _("电子腕带")


class Protocol(models.TextChoices):
    OSMAND = "osmand", _("OsmAnd HTTP")
    MQTT = "mqtt", _("MQTT JSON")


def hash_token(token: str) -> str:
    """Device tokens are random (≥128 bits), so a plain SHA-256 is enough to keep them unreadable."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Device(models.Model):
    """A phone or wristband bound to one supervisee; only registered, active devices are heard."""

    device_id = models.CharField(_("设备编号"), max_length=64, unique=True)
    kind = models.CharField(
        _("设备类型"), max_length=16, choices=DeviceKind.choices, default=DeviceKind.PHONE
    )
    protocol = models.CharField(_("协议"), max_length=16, choices=Protocol.choices, default=Protocol.OSMAND)
    supervisee = models.ForeignKey(
        Supervisee, verbose_name=_("社区矫正对象"), on_delete=models.PROTECT, related_name="devices"
    )
    org = models.ForeignKey(Org, verbose_name=_("负责司法所"), on_delete=models.PROTECT, related_name="+")
    token_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    active = models.BooleanField(_("启用"), default=True)
    last_seen = models.DateTimeField(_("最后定位时间"), null=True, blank=True)
    battery = models.FloatField(_("电量（%）"), null=True, blank=True)
    # The engine's per-device state (filter anchor, rate bucket, hysteresis per fence), so that any
    # web process or a restarted consumer continues exactly where the last batch stopped.
    engine_state = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CorrectionsQuerySet.as_manager()
    scope_org_field = "org"
    juvenile_field = "supervisee__is_juvenile"

    class Meta:
        verbose_name = _("定位设备")
        verbose_name_plural = _("定位设备")
        ordering = ["device_id"]

    def __str__(self) -> str:
        return self.device_id

    def token_matches(self, token: str | None) -> bool:
        if not self.token_hash:
            return True
        return bool(token) and hmac.compare_digest(self.token_hash, hash_token(token or ""))


class Position(models.Model):
    """One accepted fix (位置点). On PostgreSQL the table is partitioned by month on ``ts``
    (see migration 0001 and ``services.maintain_partitions``); its primary key is (id, ts)."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    supervisee = models.ForeignKey(
        Supervisee, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    ts = models.DateTimeField(_("定位时间"))
    lat_wgs84 = models.FloatField(_("纬度（WGS-84）"))
    lon_wgs84 = models.FloatField(_("经度（WGS-84）"))
    accuracy = models.FloatField(_("精度（米）"), null=True, blank=True)
    speed = models.FloatField(_("速度（米/秒）"), null=True, blank=True)
    battery = models.FloatField(_("电量（%）"), null=True, blank=True)

    objects = CorrectionsQuerySet.as_manager()
    scope_org_field = "supervisee__org"
    juvenile_field = "supervisee__is_juvenile"

    class Meta:
        verbose_name = _("位置点")
        verbose_name_plural = _("位置点")
        ordering = ["ts", "id"]
        indexes = [
            models.Index(fields=["supervisee", "ts"], name="monitoring_pos_sup_ts"),
            models.Index(fields=["device", "ts"], name="monitoring_pos_dev_ts"),
        ]

    def __str__(self) -> str:
        return f"{self.device_id} {self.ts:%Y-%m-%d %H:%M:%S}"


class FenceKind(models.TextChoices):
    """The engine's three rules (engine.fences.FenceKind): same values."""

    ALLOWED_AREA = "allowed_area", _("活动区域")
    EXCLUSION_ZONE = "exclusion_zone", _("禁止区域")
    CURFEW = "curfew", _("宵禁（夜间在家）")


class Datum(models.TextChoices):
    WGS84 = "WGS-84", _("WGS-84（GPS）")
    GCJ02 = "GCJ-02", _("GCJ-02（国测局）")


class Fence(models.Model):
    """A geofence of one supervisee beyond the default allowed area (the residence county):
    a polygon (GeoJSON geometry) or a circle (centre + radius), optionally only in a daily window."""

    supervisee = models.ForeignKey(
        Supervisee, verbose_name=_("社区矫正对象"), on_delete=models.CASCADE, related_name="fences"
    )
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=FenceKind.choices)
    datum = models.CharField(_("坐标系"), max_length=8, choices=Datum.choices, default=Datum.WGS84)
    geometry = models.JSONField(_("多边形（GeoJSON）"), null=True, blank=True)
    center_lat = models.FloatField(_("圆心纬度"), null=True, blank=True)
    center_lon = models.FloatField(_("圆心经度"), null=True, blank=True)
    radius_m = models.FloatField(_("半径（米）"), null=True, blank=True)
    window_start = models.TimeField(_("生效开始"), null=True, blank=True)
    window_end = models.TimeField(_("生效结束"), null=True, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CorrectionsQuerySet.as_manager()
    scope_org_field = "supervisee__org"
    juvenile_field = "supervisee__is_juvenile"

    class Meta:
        verbose_name = _("电子围栏")
        verbose_name_plural = _("电子围栏")
        ordering = ["supervisee", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(geometry__isnull=False, radius_m__isnull=True)
                    | models.Q(
                        geometry__isnull=True,
                        center_lat__isnull=False,
                        center_lon__isnull=False,
                        radius_m__gt=0,
                    )
                ),
                name="monitoring_fence_polygon_or_circle",
            ),
            models.CheckConstraint(
                condition=models.Q(window_start__isnull=True, window_end__isnull=True)
                | models.Q(window_start__isnull=False, window_end__isnull=False),
                name="monitoring_fence_window_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}）"

    @property
    def is_circle(self) -> bool:
        return self.geometry is None


class AlertKind(models.TextChoices):
    BREACH = "breach", _("越界")
    EXIT = "exit", _("离开区域")
    ENTER = "enter", _("进入区域")
    OFFLINE = "offline", _("设备离线")
    LOW_BATTERY = "low_battery", _("电量低")
    CURFEW = "curfew", _("违反宵禁")


# Kinds that need a person to act (an inbox task, acknowledgement, escalation); enter/exit are
# recorded for the track map only.
ACTIONABLE_KINDS = frozenset({AlertKind.BREACH, AlertKind.OFFLINE, AlertKind.LOW_BATTERY, AlertKind.CURFEW})


class AlertStatus(models.TextChoices):
    OPEN = "open", _("待处置")  # raised; in the justice office's inbox
    ACKNOWLEDGED = "acknowledged", _("已确认")  # someone is handling it
    ESCALATED = "escalated", _("已上报")  # unacknowledged too long: the county bureau's inbox too
    CLOSED = "closed", _("已关闭")  # handled, with a note

    @classmethod
    def unresolved(cls) -> tuple[str, ...]:
        return (cls.OPEN, cls.ACKNOWLEDGED, cls.ESCALATED)


class Alert(models.Model):
    """An event of the engine that the responsible justice office must see (预警).

    ``key`` is the engine's idempotency key (device|event|fence|fix time): a replayed batch or a
    restarted worker produces the same key, and the unique index keeps one row.
    """

    supervisee = models.ForeignKey(
        Supervisee, verbose_name=_("社区矫正对象"), on_delete=models.PROTECT, related_name="+"
    )
    device = models.ForeignKey(
        Device, verbose_name=_("设备"), null=True, blank=True, on_delete=models.PROTECT, related_name="alerts"
    )
    org = models.ForeignKey(Org, verbose_name=_("负责司法所"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=16, choices=AlertKind.choices)
    occurred_at = models.DateTimeField(_("发生时间"), db_index=True)
    key = models.CharField(max_length=191, unique=True, editable=False)
    fence = models.ForeignKey(
        Fence, verbose_name=_("围栏"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    fence_key = models.CharField(_("围栏标识"), max_length=64, blank=True, default="")
    fence_label = models.CharField(_("围栏"), max_length=100, blank=True, default="")
    lat_wgs84 = models.FloatField(null=True, blank=True)
    lon_wgs84 = models.FloatField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=AlertStatus.choices, default=AlertStatus.OPEN, db_index=True
    )
    ended_at = models.DateTimeField(_("恢复正常时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    close_note = models.CharField(_("处置说明"), max_length=1000, blank=True, default="")
    escalated_at = models.DateTimeField(_("上报时间"), null=True, blank=True)
    escalated_to = models.ForeignKey(
        Org, verbose_name=_("上报至"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("产生时间"), auto_now_add=True)

    objects = CorrectionsQuerySet.as_manager()
    scope_org_field = "org"
    juvenile_field = "supervisee__is_juvenile"

    class Meta:
        verbose_name = _("定位预警")
        verbose_name_plural = _("定位预警")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="monitoring_alert_status_age"),
            models.Index(fields=["supervisee", "occurred_at"], name="monitoring_alert_sup_time"),
        ]

    def __str__(self) -> str:
        return f"{self.supervisee.name} {self.get_kind_display()}（{self.occurred_at:%Y-%m-%d %H:%M}）"

    def get_absolute_url(self) -> str:
        return reverse("monitoring:alert-detail", args=[self.pk])

    @property
    def actionable(self) -> bool:
        return self.kind in ACTIONABLE_KINDS

    @property
    def can_acknowledge(self) -> bool:
        return self.status in (AlertStatus.OPEN, AlertStatus.ESCALATED)

    @property
    def can_close(self) -> bool:
        return self.status != AlertStatus.CLOSED


class RejectReason(models.TextChoices):
    UNKNOWN_DEVICE = "unknown_device", _("未登记设备")
    BAD_TOKEN = "bad_token", _("设备口令错误")
    MALFORMED = "malformed", _("报文格式错误")
    NO_ACTIVE_ORDER = "no_active_order", _("无有效电子定位决定（第二十九条）")
    RATE_LIMITED = "rate_limited", _("发送过于频繁")
    INVALID = "invalid", _("设备标记无效")
    OUT_OF_RANGE = "out_of_range", _("坐标超出范围")
    FUTURE = "future", _("时间晚于当前")
    TOO_OLD = "too_old", _("时间过旧")
    POOR_ACCURACY = "poor_accuracy", _("精度过差")
    DUPLICATE = "duplicate", _("重复")
    OUT_OF_ORDER = "out_of_order", _("乱序")
    SPEED_JUMP = "speed_jump", _("速度异常跳变")


class RejectedMessage(models.Model):
    """Per day, transport and reason: how many device messages or fixes were refused.

    A counter, not a log: refused positions are never stored (Art 29 for the no-order case), so the
    operators see volumes without holding the data.
    """

    day = models.DateField(_("日期"))
    transport = models.CharField(_("通道"), max_length=16, choices=Protocol.choices)
    reason = models.CharField(_("原因"), max_length=24, choices=RejectReason.choices)
    count = models.PositiveBigIntegerField(_("数量"), default=0)

    class Meta:
        verbose_name = _("拒收计数")
        verbose_name_plural = _("拒收计数")
        ordering = ["-day", "transport", "reason"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "transport", "reason"], name="monitoring_rejected_unique_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.transport} {self.reason}: {self.count}"


__all__ = [
    "ACTIONABLE_KINDS",
    "Alert",
    "AlertKind",
    "AlertStatus",
    "Datum",
    "Device",
    "DeviceKind",
    "Fence",
    "FenceKind",
    "Position",
    "Protocol",
    "RejectReason",
    "RejectedMessage",
    "hash_token",
]

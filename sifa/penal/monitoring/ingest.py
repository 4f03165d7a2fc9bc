"""Position ingest: device messages → Art 29 check → engine → positions, alerts, inbox — in one
transaction per batch.

Both transports end here:

* OsmAnd HTTP (``api/views.py``): one request is one batch;
* MQTT (:func:`run_mqtt_consumer`): the engine's :class:`MqttConsumer` drives a
  :class:`PlatformEngine`, whose ``process`` does the whole batch including the database commit, so
  the consumer acknowledges the messages only after the commit (at-least-once; idempotent keys and
  the duplicate filter make a redelivery harmless).

State: the engine keeps per-device state in memory (filter anchor, rate bucket, hysteresis per
fence). The platform runs several web processes and a consumer, and any of them may restart, so the
state of every device in a batch is loaded from ``Device.engine_state`` at the start of the batch
(rows locked ``FOR UPDATE``) and written back in the same transaction. The in-memory engine is only
a cache of fences and a vectorised work area; the database is the truth.

Art 29 (社区矫正法): a fix is stored only when an approved, unexpired, unlifted monitoring order
covers the local date of the fix (``corrections.selectors.monitored_supervisee_ids``); every other
fix is refused before it reaches the engine and only counted (``RejectedMessage``).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from django.db import DatabaseError, close_old_connections, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from sifa.penal.corrections.selectors import monitored_supervisee_ids
from sifa.platform.orgs.models import Division

from .engine import (
    BatchResult,
    CircleFence,
    Engine,
    EngineConfig,
    Event,
    EventType,
    FenceKind,
    FixBatch,
    HysteresisConfig,
    PolygonFence,
    decode_mqtt_batch,
)
from .engine.divisions import load_outline_wgs84
from .fences import (
    county_fence_key,
    fence_center_wgs84,
    fence_geometry_wgs84,
    fence_pk_of,
    fence_window,
    polygon_key,
)
from .models import (
    Alert,
    AlertKind,
    AlertStatus,
    Device,
    Fence,
    Position,
    Protocol,
    RejectedMessage,
    RejectReason,
)
from .services import create_alert, monitoring_settings

log = logging.getLogger(__name__)

# Per-device columns restored from / saved to Device.engine_state, with their "fresh" values.
_DEVICE_STATE: dict[str, Any] = {
    "last_ts": math.nan,
    "last_lat": math.nan,
    "last_lon": math.nan,
    "speed_run": 0,
    "offline": False,
    "low_battery": False,
    "tokens": math.nan,
    "tokens_at": math.nan,
}
# Per-slot hysteresis columns (only valid for the fence set they were computed for).
_SLOT_STATE = ("poly_inside", "poly_count", "poly_breach", "c_inside", "c_count", "c_breach")


def _json_safe(value: Any) -> Any:
    """NaN is not JSON (PostgreSQL jsonb refuses it): store None."""
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _from_json(value: Any, default: Any) -> Any:
    return default if value is None else value


@dataclass
class IngestReport:
    received: int = 0
    stored: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    alerts: list[Alert] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "received": self.received,
            "stored": self.stored,
            "rejected": dict(self.rejected),
            "alerts": [a.pk for a in self.alerts],
        }


def engine_config() -> EngineConfig:
    cfg = monitoring_settings()
    return EngineConfig(
        hysteresis=HysteresisConfig(consecutive=cfg.hysteresis_points, margin_m=cfg.hysteresis_margin_m),
        low_battery_pct=cfg.low_battery_pct,
        battery_recover_pct=cfg.low_battery_pct + 5.0,
        offline_after_s=cfg.offline_after_min * 60.0,
    )


class PlatformEngine(Engine):
    """The engine with the platform's storage around it (see the module docstring)."""

    def __init__(self, config: EngineConfig | None = None) -> None:
        super().__init__(config or engine_config(), capacity=256)
        self._signature: dict[str, str] = {}  # device_id → fence signature currently registered
        self._lock = threading.RLock()
        self.transport = Protocol.MQTT

    # -- the MQTT consumer calls these two -------------------------------------------------------
    def process(self, messages: Any, now: float | None = None) -> BatchResult:
        errors: list[tuple[int, Any]]
        if isinstance(messages, FixBatch):
            batch, errors = messages, []
        else:
            batch, _index, errors = decode_mqtt_batch(messages)
        report = self.ingest_with_retry(batch, now=now, transport=self.transport, malformed=len(errors))
        # Alerts are already committed; the consumer's own sinks get nothing more to write.
        return BatchResult(
            events=[],
            batch=FixBatch.empty(),
            accepted_index=np.zeros(0, dtype=np.intp),
            rejected=report.rejected,
            decode_errors=errors,
        )

    def check_offline(self, now: float | None = None) -> list[Event]:
        # Offline is decided from Device.last_seen by a periodic task (services.scan_offline_devices):
        # the in-memory table only knows the devices of recent batches.
        self._last_offline_check = time.time() if now is None else now
        return []

    # -- the platform's batch ------------------------------------------------------------------
    def ingest_with_retry(
        self, batch: FixBatch, *, now: float | None, transport: str, malformed: int = 0, attempts: int = 8
    ) -> IngestReport:
        """For the consumer thread: a database outage must delay, not kill, ingestion."""
        delay = 0.1
        for attempt in range(attempts):
            try:
                return self.ingest(batch, now=now, transport=transport, malformed=malformed)
            except DatabaseError:
                if attempt == attempts - 1:
                    raise
                log.exception("monitoring ingest failed; retrying in %.1fs", delay)
                close_old_connections()
                time.sleep(delay)
                delay = min(delay * 2, 5.0)
        raise AssertionError("unreachable")

    def ingest(
        self,
        batch: FixBatch,
        *,
        now: float | None = None,
        transport: str = Protocol.OSMAND,
        malformed: int = 0,
        token: str | None = None,
    ) -> IngestReport:
        now = time.time() if now is None else now
        report = IngestReport(received=len(batch) + malformed)
        if malformed:
            report.rejected[RejectReason.MALFORMED] += malformed
        with self._lock, transaction.atomic():
            if len(batch):
                self._ingest_locked(batch, now, transport, token, report)
            count_rejections(report.rejected, transport=transport, day=timezone.localdate())
        return report

    def _ingest_locked(
        self, batch: FixBatch, now: float, transport: str, token: str | None, report: IngestReport
    ) -> None:
        ids = sorted(set(batch.device_id))
        devices = {
            d.device_id: d
            for d in Device.objects.select_for_update(of=("self",))
            .filter(device_id__in=ids, active=True)
            .select_related("supervisee", "supervisee__org")
        }
        n = len(batch)
        keep = np.zeros(n, dtype=np.bool_)
        for i, device_id in enumerate(batch.device_id):
            device = devices.get(device_id)
            if device is None:
                report.rejected[RejectReason.UNKNOWN_DEVICE] += 1
            elif (token is not None and not device.token_matches(token)) or (
                device.token_hash and token is None and transport == Protocol.OSMAND
            ):
                report.rejected[RejectReason.BAD_TOKEN] += 1
            else:
                keep[i] = True
        keep &= self._ordered(batch, devices, report)
        if not keep.any():
            return
        sub = batch.take(keep)
        touched = {devices[d] for d in set(sub.device_id)}
        fences = self._prepare(touched, now)
        result = Engine.process(self, sub, now)
        for reason, count in result.rejected.items():
            report.rejected[reason] += count
        report.stored = self._store_positions(result.accepted, devices)
        report.alerts = self._write_events(result.events, devices, fences)
        self._save_state(touched, result.accepted)

    def _ordered(self, batch: FixBatch, devices: dict[str, Device], report: IngestReport) -> Any:
        """Mask of fixes covered by an active monitoring order on their local date (Art 29)."""
        tz = ZoneInfo(self.config.timezone)
        days = [
            dt.datetime.fromtimestamp(t, tz).date() if math.isfinite(t) else None for t in batch.ts.tolist()
        ]
        by_day: dict[dt.date, set[int]] = defaultdict(set)
        for device_id, day in zip(batch.device_id, days, strict=True):
            device = devices.get(device_id)
            if device is not None and day is not None:
                by_day[day].add(device.supervisee_id)
        allowed = {day: monitored_supervisee_ids(day, among=sups) for day, sups in by_day.items()}
        mask = np.zeros(len(batch), dtype=np.bool_)
        for i, (device_id, day) in enumerate(zip(batch.device_id, days, strict=True)):
            device = devices.get(device_id)
            if device is None:
                continue  # already counted as unknown
            if day is not None and device.supervisee_id in allowed.get(day, set()):
                mask[i] = True
            else:
                report.rejected[RejectReason.NO_ACTIVE_ORDER] += 1
        return mask

    def _prepare(self, devices: Iterable[Device], now: float) -> dict[int, Fence]:
        """Register each device with its current fences and load its saved state."""
        devices = list(devices)
        fences_by_sup: dict[int, list[Fence]] = defaultdict(list)
        all_fences: dict[int, Fence] = {}
        for fence in Fence.objects.filter(supervisee_id__in={d.supervisee_id for d in devices}, active=True):
            fences_by_sup[fence.supervisee_id].append(fence)
            all_fences[fence.pk] = fence
        on_leave = self._on_leave({d.supervisee_id for d in devices}, now)
        for device in devices:
            sup = device.supervisee
            # An approved leave (外出, Art 27) covering today lifts the county fence; the other
            # fences (exclusion zones, curfew) still apply.
            county = "" if sup.pk in on_leave else sup.residence_division_id
            own = fences_by_sup.get(sup.pk, [])
            signature = f"{sup.pk}|{county}|" + ",".join(
                f"{f.pk}:{f.updated_at.timestamp():.6f}" for f in sorted(own, key=lambda f: f.pk)
            )
            stored = device.engine_state or {}
            if self._signature.get(device.device_id) != signature or stored.get("signature") != signature:
                self._register(device, county, own, now)
                self._signature[device.device_id] = signature
            self._restore(device, stored if stored.get("signature") == signature else {}, signature)
        return all_fences

    def _on_leave(self, supervisee_ids: set[int], now: float) -> set[int]:
        from sifa.penal.corrections.models import ApprovalStatus, LeaveApplication

        today = dt.datetime.fromtimestamp(now, ZoneInfo(self.config.timezone)).date()
        return set(
            LeaveApplication.objects.filter(
                supervisee_id__in=supervisee_ids,
                status=ApprovalStatus.APPROVED,
                start_date__lte=today,
                end_date__gte=today,
            ).values_list("supervisee_id", flat=True)
        )

    def _register(self, device: Device, county: str, own: list[Fence], now: float) -> None:
        polygons: list[str] = []
        if county:
            key = county_fence_key(county)
            if key not in self._poly_id:
                self.add_polygon_fence(PolygonFence(key, load_outline_wgs84(county), FenceKind.ALLOWED_AREA))
            polygons.append(key)
        circles: list[CircleFence] = []
        for fence in own:
            if fence.is_circle:
                lat, lon = fence_center_wgs84(fence)
                circles.append(
                    CircleFence(
                        key=f"fence:{fence.pk}",
                        lat_wgs84=lat,
                        lon_wgs84=lon,
                        radius_m=float(fence.radius_m or 0.0),
                        kind=FenceKind(fence.kind),
                        window=fence_window(fence),
                    )
                )
            else:
                pkey = polygon_key(fence)
                if pkey not in self._poly_id:
                    self.add_polygon_fence(
                        PolygonFence(
                            pkey, fence_geometry_wgs84(fence), FenceKind(fence.kind), fence_window(fence)
                        )
                    )
                polygons.append(pkey)
        self.register_device(
            device.device_id, str(device.supervisee_id), polygons=polygons, circles=circles, now=now
        )

    def _restore(self, device: Device, stored: dict[str, Any], signature: str) -> None:
        idx = self.devices.index[device.device_id]
        arrays = self.devices.arrays
        arrays["registered"][idx] = True
        for name, fresh in _DEVICE_STATE.items():
            arrays[name][idx] = _from_json(stored.get(name), fresh)
        for name in _SLOT_STATE:
            values = stored.get(name)
            if values is not None:
                width = min(len(values), arrays[name].shape[1])
                arrays[name][idx, :width] = values[:width]

    def _dump(self, device: Device) -> dict[str, Any]:
        idx = self.devices.index[device.device_id]
        arrays = self.devices.arrays
        state: dict[str, Any] = {"signature": self._signature[device.device_id]}
        for name in _DEVICE_STATE:
            state[name] = _json_safe(arrays[name][idx].item())
        for name in _SLOT_STATE:
            state[name] = [_json_safe(v) for v in arrays[name][idx].tolist()]
        return state

    def _store_positions(self, accepted: FixBatch, devices: dict[str, Device]) -> int:
        if not len(accepted):
            return 0
        rows = []
        for i in range(len(accepted)):
            device = devices[accepted.device_id[i]]
            rows.append(
                Position(
                    device_id=device.pk,
                    supervisee_id=device.supervisee_id,
                    ts=dt.datetime.fromtimestamp(float(accepted.ts[i]), tz=dt.UTC),
                    lat_wgs84=float(accepted.lat_wgs84[i]),
                    lon_wgs84=float(accepted.lon_wgs84[i]),
                    accuracy=_json_safe(float(accepted.accuracy_m[i])),
                    speed=_json_safe(float(accepted.speed_mps[i])),
                    battery=_json_safe(float(accepted.battery_pct[i])),
                )
            )
        Position.objects.bulk_create(rows, batch_size=5000)
        return len(rows)

    def _write_events(
        self, events: list[Event], devices: dict[str, Device], fences: dict[int, Fence]
    ) -> list[Alert]:
        created: list[Alert] = []
        counties: dict[str, str] = {}
        for event in events:
            device = devices.get(event.device_id)
            if device is None:
                continue
            when = dt.datetime.fromtimestamp(event.ts, tz=dt.UTC)
            if event.event_type == EventType.BREACH_END:
                Alert.objects.filter(
                    device=device,
                    fence_key=event.fence_key,
                    kind__in=[AlertKind.BREACH, AlertKind.CURFEW],
                    ended_at__isnull=True,
                ).update(ended_at=when)
                continue
            kind = _alert_kind(event)
            if kind is None:
                continue
            fence = fences.get(fence_pk_of(event.fence_key) or -1)
            label = fence.name if fence is not None else self._county_label(event.fence_key, counties)
            values: dict[str, Any] = {
                "key": event.key[:191],
                "supervisee": device.supervisee,
                "device": device,
                "org": device.supervisee.org,
                "kind": kind,
                "occurred_at": when,
                "fence": fence,
                "fence_key": event.fence_key[:64],
                "fence_label": label[:100],
                "lat_wgs84": event.lat_wgs84,
                "lon_wgs84": event.lon_wgs84,
                "detail": {k: _json_safe(v) for k, v in event.detail.items()}
                | {"fence_kind": event.fence_kind},
            }
            if kind in (AlertKind.ENTER, AlertKind.EXIT):
                # A record for the track map, not something to act on.
                values.update(status=AlertStatus.CLOSED, closed_at=when, close_note=_("状态变化记录"))
            alert, new = create_alert(values=values)
            if new:
                created.append(alert)
        return created

    def _county_label(self, fence_key: str, cache: dict[str, str]) -> str:
        if not fence_key.startswith("county:"):
            return ""
        code = fence_key.split(":", 1)[1]
        if code not in cache:
            name = Division.objects.filter(pk=code).values_list("name", flat=True).first() or code
            cache[code] = _("%(name)s（执行地区县）") % {"name": name}
        return cache[code]

    def _save_state(self, touched: set[Device], accepted: FixBatch) -> None:
        last: dict[str, tuple[float, float]] = {}
        for i in range(len(accepted)):
            ts, batt = float(accepted.ts[i]), float(accepted.battery_pct[i])
            prev = last.get(accepted.device_id[i])
            if prev is None or ts >= prev[0]:
                last[accepted.device_id[i]] = (ts, batt)
        for device in touched:
            device.engine_state = self._dump(device)
            if device.device_id in last:
                ts, batt = last[device.device_id]
                seen = dt.datetime.fromtimestamp(ts, tz=dt.UTC)
                if device.last_seen is None or seen > device.last_seen:
                    device.last_seen = seen
                    if not math.isnan(batt):
                        device.battery = batt
        _update_devices(touched)


def _update_devices(devices: Iterable[Device]) -> None:
    """One prepared UPDATE executed for every device (executemany): Django's bulk_update builds a
    CASE expression per row and per field, which dominated a 1,000-device batch."""
    from django.db import connection

    meta = Device._meta
    fields: list[Any] = [meta.get_field(name) for name in ("engine_state", "last_seen", "battery")]
    table = connection.ops.quote_name(meta.db_table)
    sets = ", ".join(f"{connection.ops.quote_name(str(f.column))} = %s" for f in fields)
    rows = [[f.get_db_prep_save(getattr(d, f.attname), connection) for f in fields] + [d.pk] for d in devices]
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET {sets} WHERE id = %s", rows)  # noqa: S608 - model metadata


def _alert_kind(event: Event) -> str | None:
    if event.event_type == EventType.BREACH:
        return AlertKind.CURFEW if event.fence_kind == FenceKind.CURFEW else AlertKind.BREACH
    return {
        EventType.EXIT: AlertKind.EXIT,
        EventType.ENTER: AlertKind.ENTER,
        EventType.OFFLINE: AlertKind.OFFLINE,
        EventType.LOW_BATTERY: AlertKind.LOW_BATTERY,
    }.get(event.event_type)


def count_rejections(rejected: Counter[str], *, transport: str, day: dt.date) -> None:
    """Add to the per-day counters (an UPDATE … + n, or a new row; safe under concurrency)."""
    for reason, count in rejected.items():
        if not count:
            continue
        reason = str(reason)
        if reason not in RejectReason.values:
            reason = RejectReason.MALFORMED if reason == "decode_error" else reason
            if reason not in RejectReason.values:
                continue
        filt = RejectedMessage.objects.filter(day=day, transport=transport, reason=reason)
        if filt.update(count=F("count") + count):
            continue
        try:
            with transaction.atomic():
                RejectedMessage.objects.create(day=day, transport=transport, reason=reason, count=count)
        except Exception:  # a concurrent batch created the row first: add to it
            filt.update(count=F("count") + count)


# -- one engine per process ------------------------------------------------------------------------
_engine: PlatformEngine | None = None
_engine_lock = threading.Lock()


def get_engine() -> PlatformEngine:
    global _engine
    with _engine_lock:
        if _engine is None:
            _engine = PlatformEngine()
        return _engine


def reset_engine() -> None:
    """Forget the in-memory cache (tests; after settings change). The database keeps the state."""
    global _engine
    with _engine_lock:
        _engine = None


def ingest_osmand(
    *, query: str | bytes, body: bytes, content_type: str, token: str | None
) -> tuple[IngestReport, str | None]:
    """Decode one OsmAnd request and ingest it. Returns the report and a decode error (or None)."""
    from .engine import DecodeError, decode_osmand_request

    received_at = time.time()
    engine = get_engine()
    try:
        fixes = decode_osmand_request(
            query=query, body=body, content_type=content_type, received_at=received_at
        )
    except DecodeError as exc:
        report = engine.ingest(FixBatch.empty(), now=received_at, transport=Protocol.OSMAND, malformed=1)
        return report, f"{exc.field}: {exc.message}"
    report = engine.ingest(
        FixBatch.from_fixes(fixes), now=received_at, transport=Protocol.OSMAND, token=token
    )
    return report, None


def _consumer_class() -> Any:
    from django.db import connections

    from .engine.mqtt_ingest import MqttConsumer

    class PlatformConsumer(MqttConsumer):
        """The engine's consumer; its worker thread closes its own database connection on exit."""

        def _run(self) -> None:
            try:
                super()._run()
            finally:
                connections.close_all()

    return PlatformConsumer


def run_mqtt_consumer(
    *,
    host: str = "127.0.0.1",
    port: int = 1883,
    client_id: str = "sifa-monitoring-1",
    topic: str | None = None,
    stop: threading.Event | None = None,
    batch_wait_s: float = 0.05,
) -> Any:
    """Consume device positions from MQTT until ``stop`` is set (or forever).

    Uses the engine's ``MqttConsumer`` (QoS 1, persistent session, manual ack): every batch goes
    through :meth:`PlatformEngine.process`, which commits positions and alerts before returning, and
    only then does the consumer acknowledge the batch's messages. Returns the consumer's stats.
    """
    from .engine.mqtt_json import SUBSCRIPTION

    engine = PlatformEngine()  # the consumer thread's own cache; the state is in the database
    consumer = _consumer_class()(
        engine,
        lambda _events: None,
        host=host,
        port=port,
        client_id=client_id,
        topic=topic or SUBSCRIPTION,
        batch_max=5000,
        batch_wait_s=batch_wait_s,
    )
    consumer.start()
    stop = stop or threading.Event()
    try:
        while not stop.wait(1.0):
            pass
    finally:
        consumer.stop()
        close_old_connections()
    return consumer.stats

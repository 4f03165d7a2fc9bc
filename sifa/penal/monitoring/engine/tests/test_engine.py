"""Engine pipeline: idempotent events across restarts, offline, low battery, raw MQTT batches."""

from __future__ import annotations

import pickle

from sifa.penal.monitoring.engine import (
    CircleFence,
    Engine,
    EventType,
    FenceKind,
    ListSink,
    encode_position,
    idempotency_key,
    topic_for,
)
from sifa.penal.monitoring.engine.fixes import Fix

from .helpers import COUNTY_A, batch, border_points, county_engine, inner_point, local_ts

T0 = local_ts(2026, 11, 23, 10)


def _engine() -> Engine:
    engine = county_engine()
    engine.register_device("d", "s", polygons=[f"county:{COUNTY_A}"], now=T0)
    return engine


def test_idempotency_key_is_device_type_fence_and_fix_time() -> None:
    assert idempotency_key("d", EventType.BREACH, "county:360121", 1.2345) == "d|breach|county:360121|1234"


def test_replaying_the_same_messages_after_a_restart_gives_the_same_keys() -> None:
    """Worker restart: the broker redelivers unacknowledged messages; the sink must see no new keys."""
    _inside, outside = border_points(500)
    fixes = [(T0 + 60 * i, *outside) for i in range(4)]
    sink = ListSink()
    first = _engine()
    sink(first.process_batch(batch("d", fixes), now=T0 + 300))
    assert [e.event_type for e in sink.events] == [EventType.EXIT, EventType.BREACH]
    restarted = _engine()  # state lost, same input replayed
    sink(restarted.process_batch(batch("d", fixes), now=T0 + 300))
    assert len(sink.events) == 2


def test_snapshot_restore_continues_without_duplicate_alerts() -> None:
    _inside, outside = border_points(500)
    engine = _engine()
    events = engine.process_batch(batch("d", [(T0, *outside)]), now=T0 + 5)
    assert EventType.BREACH in [e.event_type for e in events]
    snap = pickle.loads(pickle.dumps(engine.snapshot()))  # noqa: S301  # our own bytes, in memory
    restarted = county_engine(None, "360111", COUNTY_A)  # fences re-added in another order
    restarted.restore(snap)
    later = restarted.process_batch(batch("d", [(T0 + 60 * i, *outside) for i in range(1, 5)]), now=T0 + 300)
    assert [e for e in later if e.event_type is EventType.BREACH] == []
    assert restarted.devices.poly_fence[0, 0] == restarted.polygon_fence_id(f"county:{COUNTY_A}")


def test_offline_after_silence_once_then_online_again() -> None:
    """No position for the configured period (possible 脱管, Art 30) is an alert, raised once."""
    engine = _engine()
    home = inner_point()
    engine.process_batch(batch("d", [(T0, *home)]), now=T0 + 1)
    assert engine.check_offline(T0 + 29 * 60) == []
    offline = engine.check_offline(T0 + 31 * 60)
    assert [(e.event_type, e.ts) for e in offline] == [(EventType.OFFLINE, T0)]
    assert offline[0].is_alert
    assert engine.check_offline(T0 + 90 * 60) == []  # still silent: no second alert
    back = engine.process_batch(batch("d", [(T0 + 100 * 60, *home)]), now=T0 + 100 * 60 + 1)
    assert [e.event_type for e in back] == [EventType.ONLINE]


def test_low_battery_alert_once_with_recovery_hysteresis() -> None:
    engine = _engine()
    home = inner_point()
    levels = [50, 19, 18, 22, 19, 30, 10]
    fixes = [
        Fix("d", T0 + 60 * i, home[0], home[1], accuracy_m=5, battery_pct=b) for i, b in enumerate(levels)
    ]
    from sifa.penal.monitoring.engine import FixBatch

    events = engine.process_batch(FixBatch.from_fixes(fixes), now=T0 + 500)
    assert [(e.event_type, e.detail["battery_pct"]) for e in events] == [
        (EventType.LOW_BATTERY, 19),
        (EventType.BATTERY_OK, 30),
        (EventType.LOW_BATTERY, 10),
    ]


def test_raw_mqtt_messages_through_the_pipeline() -> None:
    engine = _engine()
    home = inner_point()
    victim = CircleFence("victim:1", home[0], home[1], 400.0, FenceKind.EXCLUSION_ZONE)
    engine.register_device("w", "s2", polygons=[f"county:{COUNTY_A}"], circles=[victim], now=T0)
    messages = [
        (topic_for("w"), encode_position(Fix("w", T0 + 60 * i, home[0], home[1], accuracy_m=5)))
        for i in range(3)
    ]
    messages.append((topic_for("w"), b"{broken"))
    messages.append((topic_for("nobody"), encode_position(Fix("nobody", T0, home[0], home[1]))))
    result = engine.process(messages, now=T0 + 200)
    assert [(e.event_type, e.fence_key) for e in result.events] == [
        (EventType.ENTER, "victim:1"),
        (EventType.BREACH, "victim:1"),
    ]
    assert [e.field for _i, e in result.decode_errors] == ["payload"]
    assert result.rejected["unknown_device"] == 1
    assert engine.counters["decode_error"] == 1


def test_re_registration_replaces_fences() -> None:
    engine = _engine()
    (_lat_a, _lon_a), (lat_b, lon_b) = border_points(500)
    engine.register_device("d", "s", polygons=["county:360111"], now=T0)  # moved county (执行地变更)
    events = engine.process_batch(batch("d", [(T0 + 60 * i, lat_b, lon_b) for i in range(3)]), now=T0 + 200)
    assert events == []


def test_engine_imports_no_django() -> None:
    """The engine is framework-free: importing all of it must not pull in Django."""
    import subprocess
    import sys

    code = (
        "import sys; import sifa.penal.monitoring.engine, sifa.penal.monitoring.engine.mqtt_ingest, "
        "sifa.penal.monitoring.engine.simulate, sifa.penal.monitoring.engine.synthetic; "
        "sys.exit(1 if any(m == 'django' or m.startswith('django.') for m in sys.modules) else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0

"""Bad-fix filter: accuracy, impossible speed, duplicates, out-of-order, range, clock skew, floods."""

from __future__ import annotations

import pytest

from sifa.penal.monitoring.engine import Engine, EngineConfig, FilterConfig, Fix, FixBatch
from sifa.penal.monitoring.engine.geodesy import offset_point

from .helpers import COUNTY_A, county_engine, inner_point, local_ts

T0 = local_ts(2026, 11, 23, 10)
HOME = inner_point()


def _engine(**filters: float) -> Engine:
    engine = county_engine(EngineConfig(filters=FilterConfig(**filters)))  # type: ignore[arg-type]
    engine.register_device("d", "s", polygons=[f"county:{COUNTY_A}"], now=T0)
    return engine


def _fix(
    ts: float, lat: float = HOME[0], lon: float = HOME[1], accuracy: float | None = 10.0, **kw: object
) -> Fix:
    return Fix("d", ts, lat, lon, accuracy_m=accuracy, **kw)  # type: ignore[arg-type]


def _run(engine: Engine, fixes: list[Fix], now: float) -> tuple[dict[str, int], int]:
    result = engine.process(FixBatch.from_fixes(fixes), now=now)
    return dict(result.rejected), len(result.accepted)


def test_poor_accuracy_is_dropped_and_threshold_is_configurable() -> None:
    assert _run(_engine(), [_fix(T0, accuracy=250.0)], T0 + 1) == ({"poor_accuracy": 1}, 0)
    assert _run(_engine(max_accuracy_m=300.0), [_fix(T0, accuracy=250.0)], T0 + 1) == ({}, 1)
    assert _run(_engine(), [_fix(T0, accuracy=None)], T0 + 1) == ({}, 1)  # not reported: kept


def test_impossible_speed_jump_is_dropped() -> None:
    engine = _engine(max_speed_kmh=250.0)
    far = offset_point(*HOME, north_m=10_000, east_m=0)  # 10 km in one minute = 600 km/h
    near = offset_point(*HOME, north_m=2_000, east_m=0)  # 2 km in one minute = 120 km/h
    rejected, accepted = _run(engine, [_fix(T0), _fix(T0 + 60, *far), _fix(T0 + 120, *near)], T0 + 130)
    assert rejected == {"speed_jump": 1}
    assert accepted == 2


def test_speed_filter_reanchors_after_repeated_rejections() -> None:
    """If the device really moved (or the anchor was wrong), it is not locked out forever."""
    engine = _engine(speed_reset_after=3)
    far = offset_point(*HOME, north_m=50_000, east_m=0)
    fixes = [_fix(T0)] + [_fix(T0 + 60 * i, *far) for i in range(1, 6)]
    rejected, accepted = _run(engine, fixes, T0 + 400)
    assert rejected == {"speed_jump": 3}
    assert accepted == 3


def test_duplicates_and_out_of_order() -> None:
    engine = _engine()
    assert _run(engine, [_fix(T0 + 60), _fix(T0 + 60)], T0 + 100) == ({"duplicate": 1}, 1)
    assert _run(engine, [_fix(T0 + 60)], T0 + 100) == ({"duplicate": 1}, 0)  # redelivery
    assert _run(engine, [_fix(T0)], T0 + 100) == ({"out_of_order": 1}, 0)


def test_out_of_order_within_one_batch_is_sorted_not_dropped() -> None:
    assert _run(_engine(), [_fix(T0 + 120), _fix(T0 + 60)], T0 + 130) == ({}, 2)


@pytest.mark.parametrize(
    ("lat", "lon"), [(91.0, 115.0), (28.0, 181.0), (-91.0, 0.0), (0.0, 0.0), (float("nan"), 115.0)]
)
def test_coordinates_out_of_range(lat: float, lon: float) -> None:
    assert _run(_engine(), [_fix(T0, lat, lon)], T0 + 1) == ({"out_of_range": 1}, 0)


def test_future_and_too_old_timestamps() -> None:
    engine = _engine(max_future_skew_s=300.0, max_age_s=86400.0)
    assert _run(engine, [_fix(T0 + 301)], T0) == ({"future": 1}, 0)
    assert _run(engine, [_fix(T0 + 299)], T0) == ({}, 1)
    assert _run(engine, [_fix(T0 - 3 * 365 * 86400)], T0) == ({"too_old": 1}, 0)


def test_device_invalid_flag() -> None:
    assert _run(_engine(), [_fix(T0, valid=False)], T0 + 1) == ({"invalid": 1}, 0)


def test_flood_from_one_device_is_rate_limited_and_counted() -> None:
    engine = _engine(rate_per_minute=6.0, rate_burst=10.0)
    engine.register_device("other", "s2", polygons=[f"county:{COUNTY_A}"], now=T0)
    flood = [_fix(T0 + i * 0.5) for i in range(50)]
    quiet = [Fix("other", T0, HOME[0], HOME[1], accuracy_m=10.0)]
    result = engine.process(FixBatch.from_fixes(flood + quiet), now=T0 + 30)
    assert result.rejected["rate_limited"] == 40
    assert "other" in result.accepted.device_id  # one noisy device does not starve the rest
    # A minute later the bucket has refilled by 6 tokens.
    result = engine.process(FixBatch.from_fixes([_fix(T0 + 100 + i) for i in range(10)]), now=T0 + 90)
    assert result.rejected["rate_limited"] == 4
    assert engine.counters["rate_limited"] == 44


def test_unknown_and_unregistered_devices_are_rejected_and_counted() -> None:
    """Art 29: positions are stored only under an active monitoring order."""
    engine = _engine()
    stranger = Fix("stranger", T0, HOME[0], HOME[1])
    result = engine.process(FixBatch.from_fixes([stranger, _fix(T0)]), now=T0 + 1)
    assert result.rejected["unknown_device"] == 1 and result.accepted.device_id == ["d"]
    engine.unregister_device("d")
    result = engine.process(FixBatch.from_fixes([_fix(T0 + 60)]), now=T0 + 61)
    assert result.rejected["unknown_device"] == 1 and len(result.accepted) == 0

"""Hysteresis: a breach (越界) needs N consecutive fixes or a clear distance margin; no flapping."""

from __future__ import annotations

import numpy as np

from sifa.penal.monitoring.engine import Engine, EngineConfig, EventType, HysteresisConfig
from sifa.penal.monitoring.engine.hysteresis import step

from .helpers import COUNTY_A, batch, border_points, county_engine, local_ts

T0 = local_ts(2026, 11, 23, 10)


def _engine(consecutive: int = 3, margin_m: float = 300.0) -> Engine:
    engine = county_engine(
        EngineConfig(hysteresis=HysteresisConfig(consecutive=consecutive, margin_m=margin_m))
    )
    engine.register_device("d", "s", polygons=[f"county:{COUNTY_A}"], now=T0)
    return engine


def test_alternating_fixes_across_the_border_never_alert() -> None:
    """Someone living on the border: fixes jitter 40 m either side every minute — no breach, ever."""
    engine = _engine()
    inside, outside = border_points(40)
    points = [(T0 + 60 * i, *(inside if i % 2 else outside)) for i in range(60)]
    events = engine.process_batch(batch("d", points), now=T0 + 3700)
    assert events == []


def test_two_outside_fixes_then_back_is_not_a_breach_but_three_are() -> None:
    engine = _engine(consecutive=3)
    inside, outside = border_points(60)
    pts = [inside, outside, outside, inside, outside, outside, outside]
    events = engine.process_batch(batch("d", [(T0 + 60 * i, *p) for i, p in enumerate(pts)]), now=T0 + 500)
    assert [(e.event_type, e.ts - T0) for e in events] == [(EventType.EXIT, 360), (EventType.BREACH, 360)]


def test_deep_fix_beyond_the_margin_alerts_at_once() -> None:
    engine = _engine(consecutive=3, margin_m=300)
    _inside, far_outside = border_points(800)
    events = engine.process_batch(batch("d", [(T0, *far_outside)]), now=T0 + 5)
    assert [e.event_type for e in events] == [EventType.EXIT, EventType.BREACH]


def test_breach_is_reported_once_and_closed_once() -> None:
    engine = _engine()
    inside, outside = border_points(500)
    pts = [outside] * 10 + [inside] * 10
    events = engine.process_batch(batch("d", [(T0 + 60 * i, *p) for i, p in enumerate(pts)]), now=T0 + 1300)
    assert [e.event_type for e in events if e.event_type in (EventType.BREACH, EventType.BREACH_END)] == [
        EventType.BREACH,
        EventType.BREACH_END,
    ]


def test_fix_within_its_own_accuracy_of_the_border_is_no_evidence() -> None:
    """A fix 60 m outside with a 150 m accuracy circle does not count towards a breach."""
    engine = _engine(consecutive=2)
    _inside, outside = border_points(60)
    events = engine.process_batch(
        batch("d", [(T0 + 60 * i, *outside) for i in range(5)], accuracy=150.0), now=T0 + 400
    )
    assert events == []


def test_same_result_whether_fixes_come_in_one_batch_or_one_by_one() -> None:
    inside, outside = border_points(60)
    pts = [
        (T0 + 60 * i, *p) for i, p in enumerate([inside, outside, outside, outside, inside, inside, inside])
    ]
    whole = _engine().process_batch(batch("d", pts), now=T0 + 500)
    single = _engine()
    piecewise = []
    for p in pts:
        piecewise += single.process_batch(batch("d", [p]), now=T0 + 500)
    assert [e.key for e in whole] == [e.key for e in piecewise]
    assert len(whole) == 4  # EXIT, BREACH, ENTER, BREACH_END


def test_step_counts_consecutive_contradictions_only() -> None:
    cfg = HysteresisConfig(consecutive=3, margin_m=1e9, accuracy_factor=0.0)
    inside = np.array([True])
    count = np.array([0], dtype=np.int16)
    breach = np.array([False])
    seen = []
    for obs in [False, False, True, False, False, False]:
        r = step(
            inside=inside,
            count=count,
            breach=breach,
            observed_inside=np.array([obs]),
            depth_m=np.array([10.0]),
            accuracy_m=np.array([np.nan]),
            active=np.array([True]),
            must_be_inside=np.array([True]),
            cfg=cfg,
        )
        inside, count, breach = r.inside, r.count, r.breach
        seen.append(bool(r.breach_started[0]))
    assert seen == [False, False, False, False, False, True]

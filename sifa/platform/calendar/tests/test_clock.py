"""Deadline clocks: pauses (补正, 中止), extensions (延期), stop, and warning states.

November 2025 has no public holiday, so working days there are plain Mon–Fri:
Mon 11/3 start; working days 11/4 5 6 7 | 10 11 12 13 14 | 17 18 19 20 21 …
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sifa.platform.calendar import Clock, ClockError, ClockState, Unit, compute_deadline, default_source

# Property tests run with deadline=None: CI shares 2 cores, and speed is not what they test.

START = date(2025, 11, 3)


def ten_workdays() -> Clock:
    return Clock(start=START, unit=Unit.WORKDAYS, length=10)


def test_plain_clock_due_date_matches_the_deadline() -> None:
    # 11/4 (1) … 11/7 (4), 11/10–14 (5–9), 11/17 (10).
    assert ten_workdays().due_date(START) == date(2025, 11, 17)


def test_closed_pause_removes_the_days_after_pausing_through_resumption() -> None:
    """Paused on Wed 11/5, resumed Fri 11/7: 11/6 and 11/7 are not counted (2 working days),
    so the due date moves from 11/17 to Wed 11/19. Counting restarts on 11/8 (the day after)."""
    clock = (
        ten_workdays().pause(date(2025, 11, 5), reason="补正", approver="张科长").resume(date(2025, 11, 7))
    )
    status = clock.status(date(2025, 11, 10))
    assert status.due == date(2025, 11, 19)
    assert status.paused_days == 2
    assert status.state is ClockState.RUNNING


def test_open_pause_freezes_remaining_and_projects_the_due_date() -> None:
    clock = ten_workdays()
    before = clock.status(date(2025, 11, 5))
    assert before.remaining == 8  # 11/6, 7, 10, 11, 12, 13, 14, 17
    paused = clock.pause(date(2025, 11, 5), reason="中止", approver="李处长")
    later = paused.status(date(2025, 11, 10))
    assert later.state is ClockState.PAUSED
    assert later.remaining == before.remaining
    # Paused 11/6–11/10: 3 working days (6, 7, 10) → due three working days later, Thu 11/20.
    assert later.due == date(2025, 11, 20)


def test_natural_day_pause_shifts_by_natural_days_then_rolls_cpl_art85() -> None:
    """30 days from Mon 11/3 → Wed 12/3. A pause 11/10 → 11/20 removes 10 days → Sat 12/13, a rest
    day, so the due date rolls to Mon 12/15 (民事诉讼法 Art 85)."""
    clock = Clock(START, Unit.DAYS, 30)
    assert clock.due_date(START) == date(2025, 12, 3)
    paused = clock.pause(date(2025, 11, 10), reason="补正", approver="王").resume(date(2025, 11, 20))
    assert paused.due_date(date(2025, 11, 21)) == date(2025, 12, 15)


def test_extension_of_reconsideration_period_art62() -> None:
    """行政复议法 Art 62: 60 days, extendable by up to 30 with approval. From 2025-01-02: 60 days →
    Mon 3/3; +30 → Wed 4/2 (before 清明 4/4–4/6)."""
    clock = Clock(date(2025, 1, 2), Unit.DAYS, 60)
    assert clock.due_date(date(2025, 1, 2)) == date(2025, 3, 3)
    extended = clock.extend(30, reason="案情复杂", approver="复议机构负责人", on=date(2025, 2, 20))
    assert extended.due_date(date(2025, 2, 21)) == date(2025, 4, 2)
    assert extended.extensions[0].approver == "复议机构负责人"


@pytest.mark.parametrize(
    ("as_of", "state", "remaining"),
    [
        (date(2025, 11, 11), ClockState.RUNNING, 4),  # 12, 13, 14, 17 left
        (date(2025, 11, 12), ClockState.NEAR_DUE, 3),  # threshold 3 working days
        (date(2025, 11, 17), ClockState.NEAR_DUE, 0),  # due today
        (date(2025, 11, 18), ClockState.OVERDUE, -1),
        (date(2025, 11, 24), ClockState.OVERDUE, -5),  # 18, 19, 20, 21, 24
    ],
)
def test_states_and_remaining(as_of: date, state: ClockState, remaining: int) -> None:
    status = ten_workdays().status(as_of)
    assert status.state is state
    assert status.remaining == remaining


def test_near_due_threshold_is_configurable() -> None:
    clock = Clock(START, Unit.WORKDAYS, 10, near_due_workdays=5)
    assert clock.state(date(2025, 11, 10)) is ClockState.NEAR_DUE  # 11–14, 17 = 5 left


def test_stopped_clock_reports_whether_it_was_met() -> None:
    assert ten_workdays().stop(date(2025, 11, 14)).status(date(2025, 11, 30)).met is True
    late = ten_workdays().stop(date(2025, 11, 18)).status(date(2025, 11, 30))
    assert late.state is ClockState.STOPPED
    assert late.met is False


def test_impossible_operations_are_refused() -> None:
    with pytest.raises(ClockError):
        ten_workdays().resume(date(2025, 11, 5))
    with pytest.raises(ClockError):
        ten_workdays().pause(date(2025, 11, 5), reason="a", approver="b").pause(
            date(2025, 11, 6), reason="a", approver="b"
        )
    with pytest.raises(ClockError):
        ten_workdays().pause(date(2025, 11, 1), reason="before start", approver="b")
    with pytest.raises(ClockError):
        ten_workdays().extend(0, reason="nothing", approver="b")
    with pytest.raises(ClockError):
        ten_workdays().pause(date(2025, 11, 5), reason="a", approver="b").resume(date(2025, 11, 4))


def test_clock_in_uncovered_year_is_provisional() -> None:
    assert Clock(date(2027, 3, 1), Unit.WORKDAYS, 5).status(date(2027, 3, 1)).provisional is True


@settings(deadline=None)
@given(
    st.dates(date(2005, 1, 1), date(2030, 12, 31)),
    st.integers(1, 60),
    st.integers(0, 40),
    st.integers(0, 40),
    st.sampled_from([u for u in Unit if u.counts_days]),  # hours cannot be paused (test_hours.py)
)
def test_counted_days_outside_pauses_equal_the_length(
    start: date, n: int, p: int, k: int, unit: Unit
) -> None:
    """Whatever the pause, the days counted between start and due (outside the pause) are N
    (natural days: N up to the nominal end, then only rest days until the due date)."""
    source = default_source()
    paused_on = date.fromordinal(start.toordinal() + p)
    resumed_on = date.fromordinal(paused_on.toordinal() + k)
    clock = Clock(start, unit, n).pause(paused_on, reason="r", approver="a").resume(resumed_on)
    due = clock.due_date(resumed_on, source)
    plain = compute_deadline(start, n, unit, source).due
    assert due >= plain
    days = [date.fromordinal(o) for o in range(start.toordinal() + 1, due.toordinal() + 1)]
    counted = [d for d in days if not (paused_on < d <= resumed_on)]
    if unit is Unit.WORKDAYS:
        assert sum(source.day(d).working_day for d in counted) == n
    else:
        assert len(counted) >= n
        assert all(not source.day(d).working_day for d in counted[n:-1])
        assert source.day(due).working_day

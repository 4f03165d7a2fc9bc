"""Periods counted in hours, and natural days that do not roll.

社区矫正法 Art 47: the court decides within 48 hours whether to arrest a supervisee whose probation or
parole the agency proposes to revoke — 48 elapsed hours from the moment of the request, through
nights, weekends and holidays (no rest-day roll). 刑事诉讼法 Art 105: a period of custody is not
extended because its last day is a holiday (`roll=False`).
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sifa.platform.calendar import Clock, ClockError, ClockState, Unit, add_hours, compute_deadline
from sifa.platform.calendar.cli import deadline_cli

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def test_art47_48_hours_run_across_midnight_and_a_weekend_without_rolling() -> None:
    """Art 47: requested Friday 2025-11-07 22:30 → due Sunday 2025-11-09 22:30. Two midnights and a
    weekend pass; the due moment is a Sunday (a rest day) and stays there — hours never roll."""
    result = compute_deadline(at(2025, 11, 7, 22, 30), 48, Unit.HOURS)
    assert result.due == at(2025, 11, 9, 22, 30)
    assert result.due.weekday() == 6  # Sunday
    assert result.provisional is False and result.rolled_from is None


def test_art47_48_hours_run_through_a_public_holiday() -> None:
    """National Day 2025 (10/1–10/8 off): 2025-09-30 20:00 + 48 h → 2025-10-02 20:00."""
    assert compute_deadline(at(2025, 9, 30, 20, 0), 48, "hours").due == at(2025, 10, 2, 20, 0)


def test_hours_are_elapsed_hours_even_where_the_clock_changes() -> None:
    """Not a Chinese case (no daylight saving), but a zone is a zone: across New York's 2025-03-09
    spring-forward, 48 elapsed hours from Saturday noon end at 13:00 local on Monday."""
    new_york = ZoneInfo("America/New_York")
    due = add_hours(datetime(2025, 3, 8, 12, 0, tzinfo=new_york), 48)
    assert due == datetime(2025, 3, 10, 13, 0, tzinfo=new_york)
    assert due.astimezone(UTC) - datetime(2025, 3, 8, 17, 0, tzinfo=UTC) == timedelta(hours=48)


def test_a_period_of_hours_needs_a_moment_not_a_day() -> None:
    with pytest.raises(TypeError):
        compute_deadline(date(2025, 11, 7), 48, Unit.HOURS)
    with pytest.raises(ClockError):
        Clock(date(2025, 11, 7), Unit.HOURS, 48)


@pytest.mark.parametrize(
    ("as_of", "state", "remaining"),
    [
        (at(2025, 11, 7, 22, 30), ClockState.RUNNING, 48),
        (at(2025, 11, 9, 10, 0), ClockState.RUNNING, 12),  # 12 h 30 min left
        (at(2025, 11, 9, 10, 30), ClockState.NEAR_DUE, 12),  # exactly 12 h left: the threshold
        (at(2025, 11, 9, 22, 30), ClockState.NEAR_DUE, 0),  # the due moment itself
        (at(2025, 11, 9, 22, 31), ClockState.OVERDUE, -1),  # a minute late is an hour begun
        (at(2025, 11, 10, 8, 30), ClockState.OVERDUE, -10),
    ],
)
def test_art47_clock_states_and_whole_hours_remaining(
    as_of: datetime, state: ClockState, remaining: int
) -> None:
    status = Clock(at(2025, 11, 7, 22, 30), Unit.HOURS, 48).status(as_of)
    assert status.due == at(2025, 11, 9, 22, 30)
    assert (status.state, status.remaining) == (state, remaining)
    assert status.provisional is False and status.paused_days == 0


def test_hours_clock_stops_met_or_late_and_extends_in_hours() -> None:
    clock = Clock(at(2025, 11, 7, 22, 30), Unit.HOURS, 48)
    on_time = clock.stop(at(2025, 11, 9, 9, 0)).status(at(2025, 11, 12, 0, 0))
    assert (on_time.state, on_time.met) == (ClockState.STOPPED, True)
    late = clock.stop(at(2025, 11, 10, 9, 0)).status(at(2025, 11, 12, 0, 0))
    assert (late.state, late.met) == (ClockState.STOPPED, False)
    extended = clock.extend(24, reason="测试", approver="甲")
    assert extended.due_date(at(2025, 11, 8, 0, 0)) == at(2025, 11, 10, 22, 30)


def test_hours_clock_refuses_pauses_days_and_mixed_time_zones() -> None:
    clock = Clock(at(2025, 11, 7, 22, 30), Unit.HOURS, 48)
    with pytest.raises(ClockError):
        clock.pause(at(2025, 11, 8, 9, 0), reason="中止", approver="甲")
    with pytest.raises(ClockError):
        clock.status(date(2025, 11, 8))
    with pytest.raises(ClockError):
        clock.status(datetime(2025, 11, 8, 9, 0))  # noqa: DTZ001 - naive against an aware start: refused
    with pytest.raises(ClockError):
        clock.stop(at(2025, 11, 7, 22, 0))  # before the request


@settings(deadline=None)
@given(
    # hypothesis takes naive bounds and attaches the zone itself
    st.datetimes(datetime(2004, 1, 1), datetime(2032, 12, 31), timezones=st.just(SHANGHAI)),  # noqa: DTZ001
    st.integers(0, 24 * 60),
)
def test_hours_due_is_exactly_n_elapsed_hours_and_never_provisional(start: datetime, n: int) -> None:
    result = compute_deadline(start, n, Unit.HOURS)
    assert isinstance(result.due, datetime)
    assert result.due - start == timedelta(hours=n)
    assert result.provisional is False and result.due.tzinfo is SHANGHAI


def test_custody_30_days_ending_on_a_sunday_do_not_roll_cpl_art105() -> None:
    """Arrested Fri 2025-11-07: 30 days end Sun 2025-12-07. A procedural period would roll to Mon
    12/8 (民事诉讼法 Art 85); custody does not (刑事诉讼法 Art 105), so the clock ends on the Sunday."""
    assert compute_deadline(date(2025, 11, 7), 30, Unit.DAYS).due == date(2025, 12, 8)
    kept = compute_deadline(date(2025, 11, 7), 30, Unit.DAYS, roll=False)
    assert (kept.due, kept.rolled_from) == (date(2025, 12, 7), None)
    clock = Clock(date(2025, 11, 7), Unit.DAYS, 30, roll=False)
    assert clock.status(date(2025, 12, 7)).state is ClockState.NEAR_DUE
    assert clock.status(date(2025, 12, 8)).state is ClockState.OVERDUE


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = deadline_cli(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_cli_hours_print_the_due_moment_on_the_last_line() -> None:
    code, out, _ = run("2025-11-07T22:30", "48", "hours")
    assert code == 0
    assert out.strip().splitlines()[-1] == "2025-11-09T22:30"
    code, out, _ = run("2025-11-07 22:30", "48", "小时")
    assert (code, out.strip().splitlines()[-1]) == (0, "2025-11-09T22:30")


def test_cli_hours_need_a_moment_and_name_start() -> None:
    code, out, err = run("2025-11-07", "48", "hours")
    assert code == 2 and out == ""
    assert "START" in err.splitlines()[0] and "时刻" in err.splitlines()[0]

"""Hypothesis properties of statutory periods (民事诉讼法 Art 85 rules, STATUTORY_RULES §0)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from sifa.platform.calendar import Unit, compute_deadline, default_source
from sifa.platform.calendar.statutory import statutory_holidays

# Property tests run with deadline=None: CI shares 2 cores, and speed is not what they test.

# Covered years (package data) and provisional ones (statutory fallback) alike.
starts = st.dates(min_value=date(2004, 1, 1), max_value=date(2032, 12, 31))
lengths = st.integers(min_value=1, max_value=120)
SOURCE = default_source()
# The properties below are about counting days on the calendar; periods of hours are in test_hours.py.
DAY_UNITS = [u for u in Unit if u.counts_days]


def working(d: date) -> bool:
    return SOURCE.day(d).working_day


def days_between(after: date, through: date) -> list[date]:
    return [after + timedelta(days=i) for i in range(1, (through - after).days + 1)]


@settings(deadline=None)
@given(starts, lengths)
def test_workday_due_date_is_a_working_day(start: date, n: int) -> None:
    assert working(compute_deadline(start, n, Unit.WORKDAYS).due)


@settings(deadline=None)
@given(starts, lengths)
def test_workday_period_counts_exactly_n_working_days_after_the_start(start: date, n: int) -> None:
    due = compute_deadline(start, n, Unit.WORKDAYS).due
    assert sum(working(d) for d in days_between(start, due)) == n


@settings(deadline=None)
@given(starts, st.integers(0, 60), st.integers(0, 60))
def test_n_then_m_workdays_equals_n_plus_m(start: date, n: int, m: int) -> None:
    first = compute_deadline(start, n, Unit.WORKDAYS).due
    assert compute_deadline(first, m, Unit.WORKDAYS).due == compute_deadline(start, n + m, Unit.WORKDAYS).due


@settings(deadline=None)
@given(starts, lengths)
def test_natural_day_due_date_is_the_first_working_day_on_or_after_start_plus_n(start: date, n: int) -> None:
    result = compute_deadline(start, n, Unit.DAYS)
    nominal = start + timedelta(days=n)
    assert result.due >= nominal
    assert working(result.due)
    # Every day skipped by the roll is a rest day.
    assert all(
        not working(d) for d in days_between(nominal - timedelta(days=1), result.due - timedelta(days=1))
    )


@settings(deadline=None)
@given(starts, lengths, lengths, st.sampled_from(DAY_UNITS))
def test_longer_period_never_ends_earlier(start: date, a: int, b: int, unit: Unit) -> None:
    lo, hi = sorted((a, b))
    assert compute_deadline(start, lo, unit).due <= compute_deadline(start, hi, unit).due


@settings(deadline=None)
@given(starts, lengths, st.sampled_from(DAY_UNITS))
def test_provisional_exactly_when_an_uncovered_year_is_involved(start: date, n: int, unit: Unit) -> None:
    result = compute_deadline(start, n, unit)
    covered = SOURCE.covered_years()
    assert result.provisional == bool(result.provisional_years)
    assert all(y not in covered for y in result.provisional_years)
    if result.due.year not in covered:
        assert result.provisional


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=2027, max_value=2199))
def test_fallback_year_has_the_statutory_13_holiday_days(year: int) -> None:
    """放假办法 (2025) Art 2: 1+4+1+2+1+1+3 = 13 days for all citizens; Art 6 makes up any that fall
    on a weekend (or on another holiday), so a year has exactly 13 weekday rest days from the 办法."""
    days = statutory_holidays(year)
    assert sum(1 for d in days if d.weekday() < 5) == 13
    assert date(year, 1, 1) in days
    assert date(year, 10, 3) in days
    assert {date(year, 5, 1), date(year, 5, 2)} <= set(days)

"""Statutory periods: the due date of N natural days or N working days after a triggering event.

Rules (STATUTORY_RULES §0; 民事诉讼法 Art 85 as applied by 行政复议法 Art 88):
- the day of the triggering event is not counted: counting starts the day after `start`;
- `days` (natural days): the period ends on day `start + N`; if that is a rest day, the due date is
  the next working day;
- `workdays`: only working days are counted (a 调休上班日 counts); the due date is the N-th working
  day after `start` and so never needs rolling;
- N = 0 is no period: the due date is `start` itself, unrolled (this keeps "N then M working days"
  equal to "N + M working days" for every N, M).

A result is provisional when any day whose rest/working status it used lies in a year with neither
a loaded State Council notice nor chinesecalendar data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from sifa.platform.calendar.holidays import DayInfo, HolidaySource, default_source

ONE_DAY = timedelta(days=1)
# A guard against runaway loops: no statutory period or pause spans this many days.
MAX_SPAN_DAYS = 366 * 20


class Unit(StrEnum):
    DAYS = "days"  # 自然日 (calendar days)
    WORKDAYS = "workdays"  # 工作日

    @property
    def label_zh(self) -> str:
        return "日" if self is Unit.DAYS else "个工作日"


@dataclass(frozen=True)
class Deadline:
    """A computed due date and how it was reached."""

    start: date
    length: int
    unit: Unit
    due: date
    provisional: bool
    provisional_years: frozenset[int]
    # For natural-day periods whose last day was a rest day: that last day (the due date rolled).
    rolled_from: date | None = None


class CalendarView:
    """A holiday source plus a record of which provisional years were consulted."""

    def __init__(self, source: HolidaySource | None = None) -> None:
        self.source: HolidaySource = source if source is not None else default_source()
        self.provisional_years: set[int] = set()

    def info(self, d: date) -> DayInfo:
        info = self.source.day(d)
        if info.provisional:
            self.provisional_years.add(d.year)
        return info

    def is_working_day(self, d: date) -> bool:
        return self.info(d).working_day

    def next_working_day(self, d: date, skip: Callable[[date], bool] | None = None) -> date:
        """`d` if it is a working day (and not skipped), else the first such day after it."""
        for _ in range(MAX_SPAN_DAYS):
            if not (skip is not None and skip(d)) and self.is_working_day(d):
                return d
            d += ONE_DAY
        raise OverflowError("no working day found within the search span")


def advance(
    view: CalendarView,
    start: date,
    length: int,
    unit: Unit,
    skip: Callable[[date], bool] | None = None,
) -> tuple[date, date | None]:
    """The due date of `length` `unit`s after `start`, not counting days for which `skip` is true.

    Returns (due, rolled_from). `skip` marks paused days (see clock.py).
    """
    if length < 0:
        raise ValueError("length must be >= 0")
    if length == 0:
        return start, None
    if length > MAX_SPAN_DAYS:
        raise OverflowError(f"period of {length} {unit} is longer than {MAX_SPAN_DAYS} days")
    d = start
    counted = 0
    if unit is Unit.DAYS and skip is None:
        d = start + timedelta(days=length)
    else:
        while counted < length:
            d += ONE_DAY
            if skip is not None and skip(d):
                continue
            if unit is Unit.DAYS or view.is_working_day(d):
                counted += 1
            if (d - start).days > MAX_SPAN_DAYS * 2:
                raise OverflowError("period does not end within the search span")
    if unit is Unit.DAYS:
        due = view.next_working_day(d, skip)
        return due, (d if due != d else None)
    return d, None


def compute_deadline(
    start: date,
    length: int,
    unit: Unit | str,
    source: HolidaySource | None = None,
) -> Deadline:
    """Due date of a statutory period of `length` `unit`s triggered on `start` (not counted)."""
    unit = Unit(unit)
    view = CalendarView(source)
    due, rolled_from = advance(view, start, length, unit)
    years = frozenset(view.provisional_years)
    return Deadline(start, length, unit, due, bool(years), years, rolled_from)


def count_units(
    view: CalendarView,
    after: date,
    through: date,
    unit: Unit,
    skip: Callable[[date], bool] | None = None,
) -> int:
    """Number of counted days in (after, through]: natural days or working days, minus skipped ones.

    Signed: negative (the count of (through, after]) when `through` is before `after`.
    """
    if through < after:
        return -count_units(view, through, after, unit, skip)
    if unit is Unit.DAYS and skip is None:
        return (through - after).days
    n = 0
    d = after
    while d < through:
        d += ONE_DAY
        if skip is not None and skip(d):
            continue
        if unit is Unit.DAYS or view.is_working_day(d):
            n += 1
    return n

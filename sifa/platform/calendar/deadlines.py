"""Statutory periods: the due date of N natural days or N working days after a triggering event.

Rules (STATUTORY_RULES §0; 民事诉讼法 Art 85 as applied by 行政复议法 Art 88):
- the day of the triggering event is not counted: counting starts the day after `start`;
- `days` (natural days): the period ends on day `start + N`; if that is a rest day, the due date is
  the next working day;
- `workdays`: only working days are counted (a 调休上班日 counts); the due date is the N-th working
  day after `start` and so never needs rolling;
- N = 0 is no period: the due date is `start` itself, unrolled (this keeps "N then M working days"
  equal to "N + M working days" for every N, M);
- `hours`: the period starts at a moment (a `datetime`) and ends N elapsed hours later, e.g.
  社区矫正法 Art 47 (the court decides on arrest within 48 hours). No day is skipped and nothing
  rolls: a period of hours runs through nights, weekends and holidays alike;
- `roll=False` (natural days only): the period ends on `start + N` even on a rest day. 刑事诉讼法
  Art 105: a period of custody is not extended because its last day is a holiday.

A result is provisional when any day whose rest/working status it used lies in a year with neither
a loaded State Council notice nor chinesecalendar data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from sifa.platform.calendar.holidays import DayInfo, HolidaySource, default_source

ONE_DAY = timedelta(days=1)
# A guard against runaway loops: no statutory period or pause spans this many days.
MAX_SPAN_DAYS = 366 * 20


class Unit(StrEnum):
    DAYS = "days"  # 自然日 (calendar days)
    WORKDAYS = "workdays"  # 工作日
    HOURS = "hours"  # 小时: start + N elapsed hours, from a moment, never rolled

    @property
    def label_zh(self) -> str:
        return {"days": "日", "workdays": "个工作日", "hours": "小时"}[self.value]

    @property
    def counts_days(self) -> bool:
        """True for the units counted day by day on the calendar (days, workdays)."""
        return self is not Unit.HOURS


def add_hours(start: datetime, hours: int) -> datetime:
    """`start` plus `hours` elapsed hours. An aware moment is moved in UTC and returned in its own
    zone, so a daylight-saving change (none in China, but a zone is a zone) does not add or remove
    an hour; a naive moment is moved as it is."""
    if not isinstance(start, datetime):
        raise TypeError("a period of hours starts at a moment (datetime), not a day")
    if hours < 0:
        raise ValueError("length must be >= 0")
    if start.tzinfo is None:
        return start + timedelta(hours=hours)
    return (start.astimezone(UTC) + timedelta(hours=hours)).astimezone(start.tzinfo)


@dataclass(frozen=True)
class Deadline:
    """A computed due date and how it was reached (for `hours`: `start` and `due` are datetimes)."""

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
    *,
    roll: bool = True,
) -> tuple[date, date | None]:
    """The due date of `length` `unit`s after `start`, not counting days for which `skip` is true.

    Returns (due, rolled_from). `skip` marks paused days (see clock.py). `roll=False`: a natural-day
    period is not moved off a rest day (custody, 刑事诉讼法 Art 105). Day units only.
    """
    if not unit.counts_days:
        raise ValueError("advance() counts days; a period of hours is add_hours(start, n)")
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
    if unit is Unit.DAYS and roll:
        due = view.next_working_day(d, skip)
        return due, (d if due != d else None)
    return d, None


def compute_deadline(
    start: date,
    length: int,
    unit: Unit | str,
    source: HolidaySource | None = None,
    *,
    roll: bool = True,
) -> Deadline:
    """Due date of a statutory period of `length` `unit`s triggered on `start` (not counted).

    For `hours`, `start` is the moment (datetime) of the triggering event and the due moment is
    `length` elapsed hours later; the calendar is not consulted (never provisional).
    """
    unit = Unit(unit)
    if unit is Unit.HOURS:
        if not isinstance(start, datetime):
            raise TypeError("a period of hours starts at a moment (datetime), not a day")
        return Deadline(start, length, unit, add_hours(start, length), False, frozenset())
    view = CalendarView(source)
    due, rolled_from = advance(view, start, length, unit, roll=roll)
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

    Signed: negative (the count of (through, after]) when `through` is before `after`. Day units only.
    """
    if not unit.counts_days:
        raise ValueError("count_units() counts days; for hours subtract the moments")
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

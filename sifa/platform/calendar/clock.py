"""Deadline clocks: a statutory period with pauses, extensions and a stop, as pure data.

STATUTORY_RULES §0 asks for each deadline to be a clock: start event, unit, length, pauses,
extensions, and who approved them. A `Clock` is immutable; `pause`, `resume`, `extend` and `stop`
return a new clock, so the platform stores the fields and rebuilds the clock when it needs it.

Pause semantics (one rule for both units, the CPL Art 85 "event day not counted" rule applied to
the resumption as a new triggering event):
  a pause recorded on day P and resumed on day R removes the days P+1 … R from the count. Day P
  itself was already running; counting restarts on R+1. In `workdays` only working days are
  counted anyway, so the due date moves by the number of working days in P+1 … R; in `days` it moves
  by R − P natural days (and is then rolled off a rest day as usual).
  While a pause is open on `as_of`, the clock is evaluated as if it resumed on `as_of`: the due date
  shown moves one day later for every paused day, and `remaining` stays frozen.
Extensions (延期) add N days in the clock's own unit to the length.

A clock in `hours` (社区矫正法 Art 47: the court decides on arrest within 48 hours) starts at a
moment: `start`, `stopped_on` and `as_of` are datetimes, the due moment is `start` + N elapsed hours
(extensions add hours), `remaining` counts whole hours (floored, so negative once overdue), it is
near due within `near_due_hours` of the due moment, is never provisional, and cannot be paused (no
statute pauses a period of hours).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from sifa.platform.calendar.deadlines import CalendarView, Unit, add_hours, advance, count_units
from sifa.platform.calendar.holidays import HolidaySource

DEFAULT_NEAR_DUE_WORKDAYS = 3
DEFAULT_NEAR_DUE_HOURS = 12
ONE_HOUR = timedelta(hours=1)


class ClockState(StrEnum):
    RUNNING = "running"  # 计时中
    PAUSED = "paused"  # 暂停 (补正, 中止)
    NEAR_DUE = "near_due"  # 临近到期 (预警)
    OVERDUE = "overdue"  # 已超期
    STOPPED = "stopped"  # 已办结: the clock's procedure step is done

    @property
    def label_zh(self) -> str:
        return {
            ClockState.RUNNING: "计时中",
            ClockState.PAUSED: "已暂停",
            ClockState.NEAR_DUE: "临近到期",
            ClockState.OVERDUE: "已超期",
            ClockState.STOPPED: "已办结",
        }[self]


class ClockError(ValueError):
    """An impossible clock operation (resume while running, pause before start…)."""


@dataclass(frozen=True)
class Pause:
    paused_on: date
    resumed_on: date | None
    reason: str
    approver: str

    def __post_init__(self) -> None:
        if self.resumed_on is not None and self.resumed_on < self.paused_on:
            raise ClockError(
                f"恢复日期早于暂停日期 / resumed {self.resumed_on} before paused {self.paused_on}"
            )


@dataclass(frozen=True)
class Extension:
    length: int  # in the clock's unit
    reason: str
    approver: str
    granted_on: date | None = None

    def __post_init__(self) -> None:
        if self.length <= 0:
            raise ClockError(f"延长期限必须为正数 / extension must be positive, got {self.length}")


@dataclass(frozen=True)
class ClockStatus:
    as_of: date  # a datetime for a clock in hours
    due: date  # a datetime for a clock in hours
    remaining: int  # counted days (in the clock's unit) after as_of up to due; < 0 when overdue
    state: ClockState
    provisional: bool
    provisional_years: frozenset[int]
    paused_days: int  # natural days removed by pauses up to as_of
    met: bool | None  # for a stopped clock: stopped on or before the due date


@dataclass(frozen=True)
class Clock:
    start: date  # day of the triggering event (not counted); for hours, the moment (datetime)
    unit: Unit
    length: int
    pauses: tuple[Pause, ...] = ()
    extensions: tuple[Extension, ...] = ()
    stopped_on: date | None = None  # for hours, the moment (datetime)
    near_due_workdays: int = DEFAULT_NEAR_DUE_WORKDAYS
    # Natural days only: False keeps a period ending on a rest day where it ends (custody,
    # 刑事诉讼法 Art 105) instead of rolling it to the next working day.
    roll: bool = True
    near_due_hours: int = DEFAULT_NEAR_DUE_HOURS  # clocks in hours only

    def __post_init__(self) -> None:
        object.__setattr__(self, "unit", Unit(self.unit))
        if self.length < 0:
            raise ClockError(f"期限长度不能为负 / length must be >= 0, got {self.length}")
        if self.near_due_workdays < 0 or self.near_due_hours < 0:
            raise ClockError("near_due_workdays and near_due_hours must be >= 0")
        if self.unit is Unit.HOURS:
            self._check_hours()
            return
        previous_end: date | None = self.start
        for i, pause in enumerate(self.pauses):
            if previous_end is None:
                raise ClockError("只有最后一次暂停可以尚未恢复 / only the last pause may be open")
            if pause.paused_on < previous_end:
                raise ClockError(
                    f"第 {i + 1} 次暂停早于起算日或上次恢复日 / pause {i + 1} on {pause.paused_on} "
                    f"starts before {previous_end}"
                )
            previous_end = pause.resumed_on
        if self.stopped_on is not None and self.stopped_on < self.start:
            raise ClockError("办结日期早于起算日 / stopped before the start")

    def _check_hours(self) -> None:
        if not isinstance(self.start, datetime):
            raise ClockError("按小时计算的期限须从某一时刻起算 / an hours clock starts at a datetime")
        if self.pauses:
            raise ClockError("按小时计算的期限不能暂停 / an hours clock cannot be paused")
        if self.stopped_on is not None:
            if not isinstance(self.stopped_on, datetime):
                raise ClockError("按小时计算的期限须记录办结时刻 / an hours clock stops at a datetime")
            _same_awareness(self.start, self.stopped_on)
            if self.stopped_on < self.start:
                raise ClockError("办结时刻早于起算时刻 / stopped before the start")

    # --- operations (each returns a new clock) -------------------------------------------------
    @property
    def open_pause(self) -> Pause | None:
        if self.pauses and self.pauses[-1].resumed_on is None:
            return self.pauses[-1]
        return None

    def pause(self, on: date, *, reason: str, approver: str) -> Clock:
        if self.unit is Unit.HOURS:
            raise ClockError("按小时计算的期限不能暂停 / an hours clock cannot be paused")
        if self.open_pause is not None:
            raise ClockError("期限已暂停 / the clock is already paused")
        return replace(self, pauses=(*self.pauses, Pause(on, None, reason, approver)))

    def resume(self, on: date) -> Clock:
        current = self.open_pause
        if current is None:
            raise ClockError("期限未暂停 / the clock is not paused")
        return replace(self, pauses=(*self.pauses[:-1], replace(current, resumed_on=on)))

    def extend(self, length: int, *, reason: str, approver: str, on: date | None = None) -> Clock:
        return replace(self, extensions=(*self.extensions, Extension(length, reason, approver, on)))

    def stop(self, on: date) -> Clock:
        return replace(self, stopped_on=on)

    # --- evaluation ----------------------------------------------------------------------------
    @property
    def total_length(self) -> int:
        return self.length + sum(e.length for e in self.extensions)

    def _paused_intervals(self, as_of: date) -> list[tuple[date, date]]:
        """Half-open-at-left intervals (P, R] of paused days, as known on `as_of`."""
        intervals = []
        for p in self.pauses:
            if p.paused_on >= as_of:
                continue  # not begun yet (or begun today: nothing paused so far)
            end = as_of if p.resumed_on is None or p.resumed_on > as_of else p.resumed_on
            if end > p.paused_on:
                intervals.append((p.paused_on, end))
        return intervals

    def _skip(self, as_of: date) -> Callable[[date], bool] | None:
        intervals = self._paused_intervals(as_of)
        if not intervals:
            return None
        return lambda d: any(lo < d <= hi for lo, hi in intervals)

    def is_paused(self, as_of: date) -> bool:
        return any(
            p.paused_on <= as_of and (p.resumed_on is None or p.resumed_on > as_of) for p in self.pauses
        )

    def status(self, as_of: date, source: HolidaySource | None = None) -> ClockStatus:
        if self.unit is Unit.HOURS:
            return self._hours_status(as_of)
        view = CalendarView(source)
        skip = self._skip(as_of)
        due, _ = advance(view, self.start, self.total_length, self.unit, skip, roll=self.roll)
        remaining = count_units(view, as_of, due, self.unit, skip)
        met: bool | None = None
        if self.stopped_on is not None and self.stopped_on <= as_of:
            state = ClockState.STOPPED
            met = self.stopped_on <= due
        elif self.is_paused(as_of):
            state = ClockState.PAUSED
        elif as_of > due:
            state = ClockState.OVERDUE
        elif count_units(view, as_of, due, Unit.WORKDAYS, skip) <= self.near_due_workdays:
            state = ClockState.NEAR_DUE
        else:
            state = ClockState.RUNNING
        paused_days = sum((hi - lo).days for lo, hi in self._paused_intervals(as_of))
        years = frozenset(view.provisional_years)
        return ClockStatus(as_of, due, remaining, state, bool(years), years, paused_days, met)

    def _hours_status(self, as_of: date) -> ClockStatus:
        if not isinstance(as_of, datetime):
            raise ClockError("按小时计算的期限须按时刻计算 / an hours clock is evaluated at a datetime")
        assert isinstance(self.start, datetime)  # checked in __post_init__
        _same_awareness(self.start, as_of)
        due = add_hours(self.start, self.total_length)
        remaining = math.floor((due - as_of) / ONE_HOUR)
        met: bool | None = None
        if self.stopped_on is not None and self.stopped_on <= as_of:
            state = ClockState.STOPPED
            met = self.stopped_on <= due
        elif as_of > due:
            state = ClockState.OVERDUE
        elif due - as_of <= self.near_due_hours * ONE_HOUR:
            state = ClockState.NEAR_DUE
        else:
            state = ClockState.RUNNING
        return ClockStatus(as_of, due, remaining, state, False, frozenset(), 0, met)

    def due_date(self, as_of: date, source: HolidaySource | None = None) -> date:
        return self.status(as_of, source).due

    def remaining(self, as_of: date, source: HolidaySource | None = None) -> int:
        return self.status(as_of, source).remaining

    def state(self, as_of: date, source: HolidaySource | None = None) -> ClockState:
        return self.status(as_of, source).state


def _same_awareness(a: datetime, b: datetime) -> None:
    if (a.tzinfo is None) != (b.tzinfo is None):
        raise ClockError("不能比较带时区与不带时区的时刻 / cannot mix aware and naive datetimes")

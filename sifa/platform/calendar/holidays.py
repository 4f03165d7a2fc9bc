"""Which days are rest days (法定休假日), and how sure we are.

STATUTORY_RULES §0: a rest day is a weekend day or a public holiday, as courts apply 民事诉讼法
Art 85; a weekend day that the State Council's yearly notice makes a working day (调休上班日) is a
working day. Three layers answer, first match wins:

1. State Council notices loaded by an admin (`YearNotice`, stored by the platform in the DB).
2. The `chinesecalendar` package for the years its data covers (detected, not hard-coded).
3. The statutory holidays of 全国年节及纪念日放假办法 plus weekends — PROVISIONAL, because the
   yearly 调休 cannot be predicted.

A notice outranks chinesecalendar, so an admin can correct a packaged year by loading its notice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cache, cached_property
from typing import Protocol, runtime_checkable

import chinese_calendar

from sifa.platform.calendar import statutory


class Layer(StrEnum):
    """Where an answer about a day came from."""

    NOTICE = "notice"  # a loaded State Council notice
    PACKAGE = "chinesecalendar"  # the chinesecalendar package
    STATUTORY = "statutory"  # 放假办法 + weekends: provisional


@dataclass(frozen=True)
class YearNotice:
    """One year's State Council holiday notice (国务院办公厅关于 YYYY 年部分节假日安排的通知).

    `holidays` are the days off it lists (weekends inside a holiday block included), `workdays` the
    weekend days it makes working days (调休上班). A notice may list days of early January of the
    following year (the 2018 notice put 2019-01-01 in the 元旦 block).
    """

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]
    source: str
    # Optional display names ("春节") for listed days; not part of the notice's identity.
    names: Mapping[date, str] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class DayInfo:
    """The answer for one date."""

    day: date
    rest_day: bool
    provisional: bool
    layer: Layer
    name: str | None = None  # holiday or 调休 name when known
    source: str | None = None  # notice reference for the NOTICE layer

    @property
    def working_day(self) -> bool:
        return not self.rest_day


@runtime_checkable
class HolidaySource(Protocol):
    """Anything that can say whether a date is a rest day (and whether that is provisional)."""

    def day(self, d: date) -> DayInfo: ...


class NoticeConflict(ValueError):
    """Two loaded notices disagree about a date."""


def _weekend(d: date) -> bool:
    return d.weekday() >= 5


def _package_name(english: str) -> str:
    """The package stores English holiday names; show the Chinese one it also knows."""
    try:
        return str(chinese_calendar.Holiday(english).chinese)
    except ValueError:
        return english


def package_years() -> frozenset[int]:
    """Years for which the installed chinesecalendar ships data (asked of the package itself)."""
    return frozenset(d.year for d in chinese_calendar.holidays) | frozenset(
        d.year for d in chinese_calendar.workdays
    )


class LayeredHolidaySource:
    """The three layers in order. `notices` may be data or a callable returning it (read lazily,
    so a CLI can pass a DB query that runs only when a date is asked about)."""

    def __init__(
        self,
        notices: Iterable[YearNotice] | Callable[[], Iterable[YearNotice]] = (),
        *,
        use_package: bool = True,
    ) -> None:
        self._notices_arg = notices
        self._use_package = use_package

    @cached_property
    def _notice_index(self) -> tuple[dict[date, tuple[bool, YearNotice]], dict[int, YearNotice]]:
        raw = self._notices_arg() if callable(self._notices_arg) else self._notices_arg
        by_date: dict[date, tuple[bool, YearNotice]] = {}
        by_year: dict[int, YearNotice] = {}
        for notice in raw:
            if notice.year in by_year:
                raise NoticeConflict(
                    f"{notice.year} 年有两份放假通知 / two notices for {notice.year}: "
                    f"{by_year[notice.year].source!r} and {notice.source!r}"
                )
            by_year[notice.year] = notice
            for rest, days in ((True, notice.holidays), (False, notice.workdays)):
                for d in days:
                    previous = by_date.get(d)
                    if previous is not None and previous[0] != rest:
                        raise NoticeConflict(
                            f"{d.isoformat()} 在两份通知中相互矛盾 / {d.isoformat()} is a holiday in one "
                            f"notice and a working day in another ({previous[1].source!r}, {notice.source!r})"
                        )
                    by_date[d] = (rest, notice)
        return by_date, by_year

    @cached_property
    def _package_years(self) -> frozenset[int]:
        return package_years() if self._use_package else frozenset()

    def covered_years(self) -> frozenset[int]:
        """Years answered without the provisional fallback."""
        return frozenset(self._notice_index[1]) | self._package_years

    def day(self, d: date) -> DayInfo:
        by_date, by_year = self._notice_index
        listed = by_date.get(d)
        if listed is not None:
            rest, notice = listed
            return DayInfo(d, rest, False, Layer.NOTICE, notice.names.get(d), notice.source)
        if d.year in by_year:
            return DayInfo(d, _weekend(d), False, Layer.NOTICE, None, by_year[d.year].source)
        if d.year in self._package_years:
            # The package's own get_holiday_detail() rescans every key to check the year range on
            # each call (~60 µs); the two dicts answer the same question directly.
            if d in chinese_calendar.workdays:
                return DayInfo(d, False, False, Layer.PACKAGE, _package_name(chinese_calendar.workdays[d]))
            if d in chinese_calendar.holidays:
                return DayInfo(d, True, False, Layer.PACKAGE, _package_name(chinese_calendar.holidays[d]))
            return DayInfo(d, _weekend(d), False, Layer.PACKAGE, None)
        name = statutory.statutory_holidays(d.year).get(d)
        return DayInfo(d, name is not None or _weekend(d), True, Layer.STATUTORY, name)


@cache
def default_source() -> LayeredHolidaySource:
    """Package + statutory layers, no notices (what a caller without a DB gets)."""
    return LayeredHolidaySource()


def special_days(year: int, source: HolidaySource | None = None) -> list[DayInfo]:
    """The days of `year` that differ from "Mon–Fri work, Sat–Sun rest" or carry a name: the
    holidays and 调休上班日 an admin checks on the holiday page or with `sifa holidays show`."""
    src = source if source is not None else default_source()
    result = []
    d = date(year, 1, 1)
    while d.year == year:
        info = src.day(d)
        if info.rest_day != _weekend(d) or info.name:
            result.append(info)
        d = date.fromordinal(d.toordinal() + 1)
    return result

"""Working-day calendar and statutory deadline clocks (framework-free: no Django imports).

    from sifa.platform.calendar import compute_deadline, LayeredHolidaySource, Clock, Unit
    compute_deadline(date(2025, 9, 28), 5, "workdays").due   # 2025-10-11
    compute_deadline(datetime(2025, 10, 10, 16, 0), 48, "hours").due   # 2025-10-12 16:00

See docs/calendar.md.
"""

from sifa.platform.calendar.clock import Clock, ClockError, ClockState, ClockStatus, Extension, Pause
from sifa.platform.calendar.deadlines import CalendarView, Deadline, Unit, add_hours, compute_deadline
from sifa.platform.calendar.holidays import (
    DayInfo,
    HolidaySource,
    Layer,
    LayeredHolidaySource,
    NoticeConflict,
    YearNotice,
    default_source,
    package_years,
    special_days,
)
from sifa.platform.calendar.notices import NoticeFormatError, load_notice_file, notice_to_json, parse_notices

__all__ = [
    "CalendarView",
    "Clock",
    "ClockError",
    "ClockState",
    "ClockStatus",
    "DayInfo",
    "Deadline",
    "Extension",
    "HolidaySource",
    "Layer",
    "LayeredHolidaySource",
    "NoticeConflict",
    "NoticeFormatError",
    "Pause",
    "Unit",
    "YearNotice",
    "add_hours",
    "compute_deadline",
    "default_source",
    "load_notice_file",
    "notice_to_json",
    "package_years",
    "parse_notices",
    "special_days",
]

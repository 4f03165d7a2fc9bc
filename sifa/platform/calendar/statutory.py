"""Statutory public holidays from 全国年节及纪念日放假办法 (2025 revision, in force 2025-01-01).

Used only for a year that has neither a loaded State Council notice nor chinesecalendar data. The
State Council's yearly notice adds 调休 (weekend days worked in exchange for bridging days) that no
rule can predict, so every answer built on this module is provisional.

What the 办法 fixes (Art 2, holidays for all citizens):
  元旦 1 day (1 Jan) · 春节 4 days (除夕 and 正月初一至初三) · 清明节 1 day (the 清明 solar term) ·
  劳动节 2 days (1–2 May) · 端午节 1 day (五月初五) · 中秋节 1 day (八月十五) · 国庆节 3 days (1–3 Oct).
Art 6: a holiday for all citizens that falls on a Saturday or Sunday is made up on a working day
(补假). Notices place the make-up day right after the holiday, so we do the same; a holiday that
coincides with another (中秋 on 1–3 Oct, as in 2028) is made up the same way, which is what the
notices did in 2020 and 2025.

Lunar dates and the solar term come from `lunar-python` (MIT, offline, astronomical tables).
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from functools import lru_cache

from lunar_python import Lunar, Solar

# Years for which the lunar library's conversion is trusted (its tables cover far more; the
# limit keeps callers from asking about dates where "statutory holidays" make no sense).
MIN_YEAR = 1900
MAX_YEAR = 2199


def _lunar_to_solar(year: int, month: int, day: int) -> date:
    solar = Lunar.fromYmd(year, month, day).getSolar()
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def qingming(year: int) -> date:
    """Day of the 清明 solar term in Beijing time (4 or 5 April)."""
    table = Solar.fromYmd(year, 4, 1).getLunar().getJieQiTable()
    solar = table["清明"]
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def _named_days(year: int) -> list[tuple[date, str]]:
    """The statutory holiday days of `year` with their names; a date may appear twice."""
    new_year_lunar = _lunar_to_solar(year, 1, 1)
    days: list[tuple[date, str]] = [(date(year, 1, 1), "元旦")]
    # 除夕 is the day before 正月初一, whether the 12th month has 29 or 30 days.
    days += [(new_year_lunar + timedelta(days=i), "春节") for i in range(-1, 3)]
    days.append((qingming(year), "清明节"))
    days += [(date(year, 5, 1), "劳动节"), (date(year, 5, 2), "劳动节")]
    days.append((_lunar_to_solar(year, 5, 5), "端午节"))
    days.append((_lunar_to_solar(year, 8, 15), "中秋节"))
    days += [(date(year, 10, d), "国庆节") for d in (1, 2, 3)]
    return days


@lru_cache(maxsize=512)
def statutory_holidays(year: int) -> dict[date, str]:
    """Rest days (beyond ordinary weekends) that the 办法 gives in `year`, including 补假 days.

    Returns {date: name}. Make-up days are named "<holiday>补假".
    """
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"year {year} outside {MIN_YEAR}–{MAX_YEAR}")
    named = _named_days(year)
    result: dict[date, str] = {}
    for day, name in named:
        result[day] = f"{result[day]}、{name}" if day in result else name
    # Days owed under Art 6: holidays on a weekend, and a second holiday on the same date.
    owed: Counter[str] = Counter()
    seen: set[date] = set()
    for day, name in named:
        if day in seen or day.weekday() >= 5:
            owed[name] += 1
        seen.add(day)
    # Make each owed day up on the first weekday after that holiday's last day that is not
    # already a rest day (processing holidays in calendar order keeps the blocks contiguous).
    for name in sorted(owed, key=lambda n: max(d for d, m in named if m == n)):
        last = max(d for d, m in named if m == name)
        cursor = last
        for _ in range(owed[name]):
            cursor += timedelta(days=1)
            while cursor.weekday() >= 5 or cursor in result:
                cursor += timedelta(days=1)
            result[cursor] = f"{name}补假"
    return result

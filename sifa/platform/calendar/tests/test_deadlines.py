"""Statutory periods on real calendars.

Rules under test (STATUTORY_RULES §0): 民事诉讼法 Art 85 — the day of the triggering event is not
counted, a period ending on a rest day ends on the next working day; 行政复议法 Art 88 / 行政处罚法
Art 85 — their short periods are working days; a 调休上班日 is a working day.

Expected dates are worked out by hand from the State Council notices quoted in each test, not read
back from the code's data.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from sifa.platform.calendar import (
    Layer,
    LayeredHolidaySource,
    Unit,
    YearNotice,
    compute_deadline,
    default_source,
    package_years,
    special_days,
)
from sifa.platform.calendar.notices import load_notice_file


def test_five_workdays_across_national_day_2025_art88() -> None:
    """行政复议法 Art 88: 5 working days from Sunday 2025-09-28 (itself a 调休上班日, not counted).

    国办发明电〔2024〕12号: 国庆节、中秋节 10月1日至8日放假调休，9月28日（周日）、10月11日（周六）上班.
    Counting: 9/29 Mon (1), 9/30 Tue (2), 10/1–10/8 off, 10/9 Thu (3), 10/10 Fri (4),
    10/11 Sat 调休上班 (5) → due 2025-10-11.
    """
    result = compute_deadline(date(2025, 9, 28), 5, Unit.WORKDAYS)
    assert result.due == date(2025, 10, 11)
    assert result.provisional is False


def test_five_workdays_from_eve_of_national_day_2025_art88() -> None:
    """From Tue 2025-09-30: 10/9 (1), 10/10 (2), 10/11 Sat 上班 (3), 10/12 Sun off, 10/13 (4), 10/14 (5)."""
    assert compute_deadline(date(2025, 9, 30), 5, "workdays").due == date(2025, 10, 14)


def test_natural_days_ending_inside_national_day_roll_past_the_block_cpl_art85() -> None:
    """民诉法 Art 85: 5 days from 2025-09-30 end on 10/5 (in the 10/1–10/8 block) → next working day 10/9."""
    result = compute_deadline(date(2025, 9, 30), 5, Unit.DAYS)
    assert result.due == date(2025, 10, 9)
    assert result.rolled_from == date(2025, 10, 5)


def test_seven_workdays_across_spring_festival_2026() -> None:
    """国办发明电〔2025〕7号: 春节 2月15日（周日）至23日（周一）放假调休，2月14日（周六）、28日（周六）上班.

    7 working days from Wed 2026-02-11: 2/12 (1), 2/13 (2), 2/14 Sat 上班 (3), 2/15–2/23 off,
    2/24 (4), 2/25 (5), 2/26 (6), 2/27 (7) → 2026-02-27.
    """
    assert compute_deadline(date(2026, 2, 11), 7, Unit.WORKDAYS).due == date(2026, 2, 27)


def test_workday_saturday_after_spring_festival_2026_counts() -> None:
    """3 working days from 2026-02-25: 2/26 (1), 2/27 (2), Sat 2/28 调休上班 (3)."""
    assert compute_deadline(date(2026, 2, 25), 3, Unit.WORKDAYS).due == date(2026, 2, 28)


def test_natural_days_ending_in_spring_festival_2026_roll_to_2026_02_24_cpl_art85() -> None:
    """10 days from 2026-02-10 end on Fri 2/20, inside the 2/15–2/23 holiday → Tue 2/24."""
    assert compute_deadline(date(2026, 2, 10), 10, Unit.DAYS).due == date(2026, 2, 24)


def test_natural_days_ending_on_sunday_roll_to_monday_cpl_art85() -> None:
    """15 days from Sat 2025-11-01 end on Sun 11/16 (no holiday in November) → Mon 11/17."""
    result = compute_deadline(date(2025, 11, 1), 15, Unit.DAYS)
    assert result.due == date(2025, 11, 17)
    assert result.rolled_from == date(2025, 11, 16)


def test_natural_days_ending_on_adjusted_working_saturday_do_not_move_section0() -> None:
    """STATUTORY_RULES §0: 10 days from 2025-10-01 end on Sat 10/11, a 调休上班日 — the due date stays."""
    result = compute_deadline(date(2025, 10, 1), 10, Unit.DAYS)
    assert result.due == date(2025, 10, 11)
    assert result.rolled_from is None


def test_start_day_is_not_counted_cpl_art85() -> None:
    """1 working day after Mon 2025-11-03 is Tue 11/04, not the 3rd itself."""
    assert compute_deadline(date(2025, 11, 3), 1, Unit.WORKDAYS).due == date(2025, 11, 4)
    assert compute_deadline(date(2025, 11, 3), 1, Unit.DAYS).due == date(2025, 11, 4)


def test_zero_length_is_the_start_day_itself() -> None:
    assert compute_deadline(date(2025, 10, 4), 0, Unit.WORKDAYS).due == date(2025, 10, 4)


def test_year_without_notice_or_package_data_is_provisional() -> None:
    """2027 has no State Council notice loaded and no chinesecalendar data (issue 3 item 7).

    5 days from Mon 2027-03-01 end on Sat 3/6 → Mon 3/8 (weekends hold whatever the notice says).
    """
    assert 2027 not in package_years()
    result = compute_deadline(date(2027, 3, 1), 5, Unit.DAYS)
    assert result.due == date(2027, 3, 8)
    assert result.provisional is True
    assert result.provisional_years == frozenset({2027})


def test_period_crossing_into_uncovered_year_is_provisional_only_when_it_uses_that_year() -> None:
    # 5 days from 2026-12-20 end on Fri 12/25: only 2026 consulted.
    assert compute_deadline(date(2026, 12, 20), 5, Unit.DAYS).provisional is False
    # 10 working days from 2026-12-25 run into January 2027.
    assert compute_deadline(date(2026, 12, 25), 10, Unit.WORKDAYS).provisional is True


def test_fallback_uses_statutory_spring_festival_2027() -> None:
    """放假办法 (2025) Art 2: 春节 = 除夕 + 正月初一至初三. 正月初一 2027 is Sat 2/6, so 除夕 Fri 2/5 …
    初三 Mon 2/8 are off, and Art 6 makes up the Sat/Sun holidays on Tue 2/9 and Wed 2/10.
    1 working day after Thu 2027-02-04 is therefore Thu 2/11."""
    result = compute_deadline(date(2027, 2, 4), 1, Unit.WORKDAYS)
    assert result.due == date(2027, 2, 11)
    assert result.provisional is True


def test_loaded_notice_makes_a_year_final_and_its_working_days_count() -> None:
    """A notice for 2027 (test data, not the real notice) replaces the provisional fallback."""
    notice = YearNotice(
        year=2027,
        holidays=frozenset(date(2027, 2, d) for d in range(5, 13)),
        workdays=frozenset({date(2027, 2, 13)}),  # a Saturday made a working day
        source="测试通知",
    )
    source = LayeredHolidaySource([notice])
    # 2/4 Thu start; 2/5–2/12 off; Sat 2/13 working (1).
    result = compute_deadline(date(2027, 2, 4), 1, Unit.WORKDAYS, source)
    assert result.due == date(2027, 2, 13)
    assert result.provisional is False
    assert source.day(date(2027, 2, 13)).layer is Layer.NOTICE


def test_notice_outranks_package_data() -> None:
    """An admin-loaded notice corrects a packaged year: here it makes Mon 2025-11-03 a holiday."""
    notice = YearNotice(2025, frozenset({date(2025, 11, 3)}), frozenset(), "测试更正")
    assert compute_deadline(date(2025, 11, 2), 1, Unit.WORKDAYS, LayeredHolidaySource([notice])).due == date(
        2025, 11, 4
    )


DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.mark.parametrize("year", [2025, 2026])
def test_real_notices_typed_by_an_admin_agree_with_the_package_every_day(year: int) -> None:
    """The 2025 (国办发明电〔2024〕12号) and 2026 (国办发明电〔2025〕7号) notices typed in the file
    format give, day by day, the same rest days as chinesecalendar: the format can express them."""
    notices = load_notice_file(DATA / f"{year}.json")
    from_notice = LayeredHolidaySource(notices, use_package=False)
    package = default_source()
    d = date(year, 1, 1)
    while d.year == year:
        assert from_notice.day(d).rest_day == package.day(d).rest_day, d
        assert from_notice.day(d).layer is Layer.NOTICE
        d += timedelta(days=1)


@pytest.mark.parametrize(
    ("start", "n", "unit", "due"),
    [
        # 2024 notice (国办发明电〔2023〕7号): 春节 2/10–2/17 off, Sun 2/4 and Sun 2/18 上班
        # (除夕 was not yet a holiday before the 2025 revision): 2/9 Fri (1), 2/18 Sun 上班 (2).
        (date(2024, 2, 8), 2, Unit.WORKDAYS, date(2024, 2, 18)),
        # 60-day reconsideration period (复议法 Art 62) from 2025-01-02: 3/3 Mon, a working day.
        (date(2025, 1, 2), 60, Unit.DAYS, date(2025, 3, 3)),
    ],
)
def test_more_real_periods(start: date, n: int, unit: Unit, due: date) -> None:
    assert compute_deadline(start, n, unit).due == due


def test_special_days_list_the_2026_national_day_arrangement() -> None:
    """国办发明电〔2025〕7号: 国庆节 10/1–10/7 off; Sun 9/20 and Sat 10/10 上班. The special days around
    it are the five weekday holidays 10/1, 10/2, 10/5, 10/6, 10/7, the named weekend days 10/3 and 10/4,
    and the two working weekend days."""
    around = [
        (i.day, i.rest_day) for i in special_days(2026) if date(2026, 9, 19) <= i.day <= date(2026, 10, 11)
    ]
    expected_rest = [date(2026, 10, d) for d in range(1, 8)]
    assert [d for d, rest in around if rest and d.month == 10] == expected_rest
    assert [d for d, rest in around if not rest] == [date(2026, 9, 20), date(2026, 10, 10)]

"""The holiday notice file (`sifa holidays load FILE`) and `sifa deadline START N UNIT` (issue 3 item 11)."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sifa.platform.calendar import (
    LayeredHolidaySource,
    NoticeConflict,
    NoticeFormatError,
    YearNotice,
    load_notice_file,
    notice_to_json,
    parse_notices,
)
from sifa.platform.calendar.cli import deadline_cli

# Property tests run with deadline=None: CI shares 2 cores, and speed is not what they test.

GOOD = {
    "year": 2027,
    "source": "测试通知（非真实）",
    "holidays": [
        {"name": "春节", "from": "2027-02-05", "to": "2027-02-12"},
        "2027-04-05",
        "2027-05-01/2027-05-05",
    ],
    "workdays": [{"name": "春节", "date": "2027-02-13"}, "2027-05-08"],
}


def problems(data: object) -> list[str]:
    with pytest.raises(NoticeFormatError) as info:
        parse_notices(json.dumps(data, ensure_ascii=False), "notice.json")
    return info.value.problems


def test_good_notice_parses_with_ranges_and_names() -> None:
    [notice] = parse_notices(json.dumps(GOOD))
    assert notice.year == 2027
    assert len(notice.holidays) == 8 + 1 + 5
    assert notice.workdays == {date(2027, 2, 13), date(2027, 5, 8)}
    assert notice.names[date(2027, 2, 8)] == "春节"


def test_json_syntax_error_names_the_line() -> None:
    with pytest.raises(NoticeFormatError) as info:
        parse_notices('{\n  "year": 2027,\n  "source": "x"\n  "holidays": []\n}', "n.json")
    assert "第 4 行" in str(info.value)
    assert "line 4" in str(info.value)


def test_each_problem_names_its_field() -> None:
    bad = {
        "year": 2027,
        "source": "",
        "holidays": ["2027-02-30", {"from": "2027-05-05", "to": "2027-05-01"}, "2026-06-01"],
        "workdays": ["2027-02-10"],
    }
    found = problems(bad)
    joined = "\n".join(found)
    assert "source:" in joined
    assert "holidays[0]:" in joined  # 30 February
    assert "holidays[1]:" in joined  # backwards range
    assert "holidays[2]:" in joined  # outside 2027
    assert "workdays[0]:" in joined  # a Wednesday cannot be a 调休上班日


def test_date_both_holiday_and_workday_is_rejected() -> None:
    bad = dict(GOOD, workdays=["2027-02-06"])  # Saturday inside the holiday block
    [problem] = problems(bad)
    assert problem.startswith("workdays[0]")
    assert "holidays[0]" in problem


def test_days_just_outside_the_year_are_allowed_as_real_notices_do() -> None:
    """The 2023 notice's 元旦 block began on 2022-12-31."""
    data = dict(GOOD, year=2023, holidays=["2022-12-31/2023-01-02"], workdays=[])
    assert date(2022, 12, 31) in parse_notices(json.dumps(data))[0].holidays


def test_unknown_keys_and_duplicate_years_are_reported() -> None:
    assert any("holiday" in p for p in problems(dict(GOOD, holiday=[])))
    assert any("2027" in p for p in problems([GOOD, GOOD]))


def test_conflicting_notices_are_refused() -> None:
    a = YearNotice(2027, frozenset({date(2027, 1, 2)}), frozenset(), "A")
    b = YearNotice(2026, frozenset({date(2025, 12, 31)}), frozenset({date(2027, 1, 2)}), "B")
    with pytest.raises(NoticeConflict):
        LayeredHolidaySource([a, b]).day(date(2027, 1, 1))


def test_load_notice_file_reads_utf8_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "2027.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(GOOD, ensure_ascii=False).encode())
    assert load_notice_file(path)[0].source == GOOD["source"]


day_sets = st.frozensets(st.dates(date(2027, 1, 1), date(2027, 12, 31)), min_size=1, max_size=40)


@settings(deadline=None)
@given(day_sets, day_sets)
def test_export_then_parse_round_trips(holidays: frozenset[date], candidates: frozenset[date]) -> None:
    workdays = frozenset(d for d in candidates if d.weekday() >= 5) - holidays
    notice = YearNotice(2027, holidays, workdays, "往返测试")
    [back] = parse_notices(json.dumps(notice_to_json(notice), ensure_ascii=False))
    assert back == notice


# --- sifa deadline ---------------------------------------------------------------------------------


def run(*argv: str, notices: object = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = deadline_cli(list(argv), notices, stdout=out, stderr=err)  # type: ignore[arg-type]
    return code, out.getvalue(), err.getvalue()


def test_cli_prints_the_due_date_on_the_last_line() -> None:
    code, out, _ = run("2025-09-28", "5", "workdays")
    assert code == 0
    assert out.strip().splitlines()[-1] == "2025-10-11"


def test_cli_natural_days_roll_and_say_so() -> None:
    code, out, _ = run("2025-11-01", "15", "days")
    assert code == 0
    assert "2025-11-16" in out  # the rest day it rolled from
    assert out.strip().splitlines()[-1] == "2025-11-17"


def test_cli_warns_when_provisional() -> None:
    code, out, err = run("2027-03-01", "5", "days")
    assert code == 0
    assert "PROVISIONAL" in err
    assert out.strip().splitlines()[-1] == "2027-03-08"


def test_cli_uses_notices_passed_by_the_platform() -> None:
    notice = parse_notices(json.dumps(GOOD))
    calls: list[int] = []

    def provider() -> list[YearNotice]:
        calls.append(1)
        return notice

    code, out, err = run("2027-02-04", "1", "workdays", notices=provider)
    assert code == 0
    assert out.strip().splitlines()[-1] == "2027-02-13"  # the notice's 调休上班 Saturday
    assert "PROVISIONAL" not in err
    assert calls == [1]


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (("2025-02-30", "5", "days"), "START"),
        (("20250928", "5", "days"), "START"),
        (("2025-09-28", "-1", "days"), "N"),
        (("2025-09-28", "five", "days"), "N"),
        (("2025-09-28", "5", "weeks"), "UNIT"),
        (("2025-09-28", "5"), "UNIT"),
        ((), "START"),
    ],
)
def test_cli_bad_arguments_exit_2_naming_the_argument(argv: tuple[str, ...], named: str) -> None:
    code, out, err = run(*argv)
    assert code == 2
    assert out == ""
    first = err.splitlines()[0]
    assert named in first
    assert any("\u4e00" <= ch <= "\u9fff" for ch in first)  # Chinese as well as English

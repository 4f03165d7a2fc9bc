"""The holiday table: `sifa holidays load FILE` / `list`, the admin page, and the calendar that
every clock counts with (STATUTORY_RULES §0; issue 3 items 7 and 11)."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sifa.platform.audit.models import ChangeLog
from sifa.platform.calendar.cli import deadline_cli
from sifa.platform.workflow.holidays import calendar_source, holidays_cli, loaded_notices
from sifa.platform.workflow.models import HolidayNotice, StatutoryClock
from sifa.platform.workflow.services import start_clock

pytestmark = pytest.mark.django_db

# A 2027 notice typed in the file format (for the test: the shape of a real notice, not its text).
NOTICE_2027: dict[str, Any] = {
    "year": 2027,
    "source": "国办发明电〔2026〕测试号 国务院办公厅关于2027年部分节假日安排的通知",
    "holidays": [
        {"name": "元旦", "from": "2027-01-01", "to": "2027-01-03"},
        {"name": "春节", "from": "2027-02-05", "to": "2027-02-12"},
        "2027-10-01/2027-10-07",
    ],
    "workdays": [{"name": "春节", "date": "2027-02-20"}, "2027-10-09"],
}


def _run(action: str, path: Path | None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = holidays_cli(action, str(path) if path else None, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _write(tmp_path: Path, data: Any, name: str = "notice.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def clock_into_2027(make_case: Any, users: dict[str, Any]) -> StatutoryClock:
    """A 90-day period (e.g. 行政处罚法 Art 60) from Sun 2026-11-22: day 90 is Sat 2027-02-20."""
    return start_clock(
        acting_user=users["donghu_staff"],
        obj=make_case(),
        name="decision",
        label="处罚决定期限",
        article="行政处罚法 第六十条",
        unit="days",
        length=90,
        start=date(2026, 11, 22),
    )


def test_bad_notice_file_exits_2_naming_each_field_and_stores_nothing(tmp_path: Path) -> None:
    bad = {
        "year": 2027,
        "source": "",
        "holidays": [{"name": "春节", "from": "2027-02-05", "to": "2027-02-31"}],
        "workdays": ["2027-02-22"],
    }
    code, _out, err = _run("load", _write(tmp_path, bad))
    assert code == 2
    assert "holidays[0].to" in err and "2027-02-31" in err
    assert "source" in err
    assert "workdays[0]" in err and "不是周六或周日" in err
    assert HolidayNotice.objects.count() == 0 and ChangeLog.objects.count() == 0


def test_json_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"year": 2027,\n "source": "x",\n "holidays": [}', encoding="utf-8")
    code, _out, err = _run("load", path)
    assert code == 2 and "line 3" in err


def test_loading_the_2027_notice_makes_2027_clocks_non_provisional(
    tmp_path: Path, clock_into_2027: StatutoryClock, django_capture_on_commit_callbacks: Any
) -> None:
    """Without a notice, 2027 falls back to 放假办法 + weekends: Sat 2027-02-20 is a rest day, so the
    period rolls to Mon 2027-02-22, provisionally. The notice makes 2027-02-20 a 调休 working day:
    the due date becomes 2027-02-20 and is no longer provisional (STATUTORY_RULES §0)."""
    assert clock_into_2027.provisional and clock_into_2027.due_date == date(2027, 2, 22)
    assert clock_into_2027.provisional_years == [2027]

    assert not calendar_source().day(date(2027, 2, 20)).working_day  # cached before the load
    with django_capture_on_commit_callbacks(execute=True):
        code, out, err = _run("load", _write(tmp_path, NOTICE_2027))
    assert code == 0, err
    assert "2027" in out and "18 天放假" in out and "2 天调休上班" in out
    assert "1 个期限不再是暂定" in out
    assert f"#{clock_into_2027.pk}" in out and "2027-02-22 → 2027-02-20" in out

    clock_into_2027.refresh_from_db()
    assert not clock_into_2027.provisional and clock_into_2027.due_date == date(2027, 2, 20)
    row = HolidayNotice.objects.get(year=2027)
    assert "2027-02-20" in row.workdays and row.names["2027-02-05"] == "春节"
    assert ChangeLog.objects.filter(object_type="workflow.HolidayNotice").count() == 1

    # `sifa deadline` uses the same table: no PROVISIONAL warning any more, same due date.
    out_io, err_io = io.StringIO(), io.StringIO()
    assert (
        deadline_cli(["2026-11-22", "90", "days"], notices=loaded_notices, stdout=out_io, stderr=err_io) == 0
    )
    assert out_io.getvalue().strip().splitlines()[-1] == "2027-02-20"
    assert "PROVISIONAL" not in err_io.getvalue()
    # … and so does the calendar cached by this process, invalidated when the load committed
    assert calendar_source().day(date(2027, 2, 20)).working_day


def test_reloading_a_year_replaces_it_and_a_conflict_loads_nothing(tmp_path: Path) -> None:
    assert _run("load", _write(tmp_path, NOTICE_2027))[0] == 0
    code, out, _ = _run("load", _write(tmp_path, {**NOTICE_2027, "workdays": ["2027-10-09"]}, "again.json"))
    assert code == 0 and "替换 replaced 2027" in out
    assert HolidayNotice.objects.get(year=2027).workdays == ["2027-10-09"]

    # Two notices that disagree about a date (2027-12-26: a holiday in one, a working day in the other)
    holidays_2027: list[Any] = [*NOTICE_2027["holidays"], "2027-12-26"]
    conflicting = [
        {**NOTICE_2027, "holidays": holidays_2027},
        {"year": 2028, "source": "测试 2028", "holidays": ["2028-01-01"], "workdays": ["2027-12-26"]},
    ]
    code, _out, err = _run("load", _write(tmp_path, conflicting, "conflict.json"))
    assert code == 2 and "2027-12-26" in err
    assert sorted(HolidayNotice.objects.values_list("year", flat=True)) == [2027]
    assert HolidayNotice.objects.get(year=2027).workdays == ["2027-10-09"]


def test_list_shows_loaded_packaged_and_provisional_years(tmp_path: Path, clock_into_2027: Any) -> None:
    code, out, _ = _run("list", None)
    assert code == 0
    lines = {line.split(" | ")[0]: line for line in out.splitlines()[1:]}
    assert "PROVISIONAL" in lines["2027"] and lines["2027"].endswith("| 1")
    assert "| yes |" in lines["2026"] and "PROVISIONAL" not in lines["2026"]
    _run("load", _write(tmp_path, NOTICE_2027))
    _, out, _ = _run("list", None)
    line_2027 = next(line for line in out.splitlines() if line.startswith("2027"))
    assert "国办发明电" in line_2027 and "PROVISIONAL" not in line_2027


def test_load_without_file_exits_2() -> None:
    code, _out, err = _run("load", None)
    assert code == 2 and "FILE" in err


def test_admin_page_for_province_admins_only(client: Any, users: dict[str, Any]) -> None:
    url = reverse("workflow:holidays")
    assert client.get(url).status_code == 302  # anonymous → login
    client.force_login(users["donghu_head"])  # holds workflow.* but governs one county only
    assert client.get(url).status_code == 403
    client.force_login(users["donghu_staff"])
    assert client.get(url).status_code == 403

    client.force_login(users["province_admin"])
    page = client.get(url)
    assert page.status_code == 200 and "2027" in page.content.decode()
    bad = SimpleUploadedFile("n.json", json.dumps({**NOTICE_2027, "source": ""}).encode())
    response = client.post(url, {"file": bad})
    assert response.status_code == 200
    assert "source" in response.content.decode() and HolidayNotice.objects.count() == 0
    good = SimpleUploadedFile("n.json", json.dumps(NOTICE_2027, ensure_ascii=False).encode())
    assert client.post(url, {"file": good}).status_code == 302
    assert HolidayNotice.objects.get(year=2027).loaded_by == users["province_admin"]

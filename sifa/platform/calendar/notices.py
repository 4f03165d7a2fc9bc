"""The notice file an admin types from a State Council holiday notice (`sifa holidays load FILE`).

Format (JSON, UTF-8; docs/calendar.md has a full example)::

    {
      "year": 2027,
      "source": "国办发明电〔2026〕X号",
      "holidays": [
        {"name": "元旦", "from": "2027-01-01", "to": "2027-01-03"},
        {"name": "春节", "from": "2027-02-05", "to": "2027-02-12"},
        "2027-04-05"
      ],
      "workdays": [
        {"name": "春节", "date": "2027-02-07"},
        "2027-02-20"
      ]
    }

An entry is a date string, a range string "FROM/TO" (ISO 8601 interval; "FROM..TO" also accepted),
or an object with "date" or "from"+"to" and an optional "name". The file may also hold a list of
such objects (several years). Every problem found is reported, each naming its field path
(e.g. `holidays[1].to`) or, for a JSON syntax error, its line and column.

Validation: dates lie in the notice's year, or within a week of it (notices do this: the 2023
notice's 元旦 block began 2022-12-31, the 2018 notice's ended 2019-01-01); a working day (调休上班)
is a Saturday or Sunday; no date is both a holiday and a working day; a range runs forwards and is
at most 31 days long.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sifa.platform.calendar.holidays import YearNotice

MAX_RANGE_DAYS = 31
SLACK = timedelta(days=7)


class NoticeFormatError(ValueError):
    """A notice file could not be read; `problems` lists each problem (Chinese / English)."""

    def __init__(self, filename: str, problems: list[str]) -> None:
        self.filename = filename
        self.problems = problems
        super().__init__(f"{filename}: " + "; ".join(problems))


@dataclass
class _Collector:
    problems: list[str]

    def add(self, where: str, zh: str, en: str) -> None:
        self.problems.append(f"{where}: {zh} / {en}")


def _parse_date(raw: Any, where: str, out: _Collector) -> date | None:
    if not isinstance(raw, str):
        out.add(where, "应为日期字符串 YYYY-MM-DD", f"expected a date string YYYY-MM-DD, got {raw!r}")
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        out.add(where, f"日期无效：{raw!r}", f"not a valid date YYYY-MM-DD: {raw!r}")
        return None


def _expand(entry: Any, where: str, out: _Collector) -> list[tuple[date, str | None, str]]:
    """Dates of one entry as (date, name, field path)."""
    name: str | None = None
    if isinstance(entry, str):
        for sep in ("/", ".."):
            if sep in entry:
                lo_raw, _, hi_raw = entry.partition(sep)
                lo = _parse_date(lo_raw, where, out)
                hi = _parse_date(hi_raw, where, out)
                break
        else:
            d = _parse_date(entry, where, out)
            return [(d, None, where)] if d else []
    elif isinstance(entry, dict):
        unknown = set(entry) - {"date", "from", "to", "name"}
        if unknown:
            out.add(where, f"未知字段 {sorted(unknown)}", f"unknown keys {sorted(unknown)}")
        if entry.get("name") is not None:
            if isinstance(entry["name"], str):
                name = entry["name"].strip() or None
            else:
                out.add(f"{where}.name", "名称应为字符串", "name must be a string")
        if "date" in entry:
            if "from" in entry or "to" in entry:
                out.add(where, "不能同时有 date 和 from/to", "give either date or from/to, not both")
            d = _parse_date(entry["date"], f"{where}.date", out)
            return [(d, name, where)] if d else []
        if "from" not in entry or "to" not in entry:
            out.add(where, "需要 date，或 from 和 to", "needs date, or both from and to")
            return []
        lo = _parse_date(entry["from"], f"{where}.from", out)
        hi = _parse_date(entry["to"], f"{where}.to", out)
    else:
        out.add(where, "应为日期、日期范围或对象", f"expected a date, a range or an object, got {entry!r}")
        return []
    if lo is None or hi is None:
        return []
    if hi < lo:
        out.add(where, f"结束日期 {hi} 早于开始日期 {lo}", f"range ends ({hi}) before it starts ({lo})")
        return []
    if (hi - lo).days + 1 > MAX_RANGE_DAYS:
        out.add(where, f"日期范围超过 {MAX_RANGE_DAYS} 天", f"range longer than {MAX_RANGE_DAYS} days")
        return []
    return [(lo + timedelta(days=i), name, where) for i in range((hi - lo).days + 1)]


def _notice(obj: Any, prefix: str, out: _Collector) -> YearNotice | None:
    if not isinstance(obj, dict):
        out.add(prefix or "(top)", "应为对象", "expected an object with year, source, holidays, workdays")
        return None
    dot = f"{prefix}." if prefix else ""
    unknown = set(obj) - {"year", "source", "holidays", "workdays"}
    if unknown:
        out.add(prefix or "(top)", f"未知字段 {sorted(unknown)}", f"unknown keys {sorted(unknown)}")
    year = obj.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not 1900 <= year <= 2199:
        out.add(f"{dot}year", "年份应为 1900–2199 的整数", f"year must be an integer 1900–2199, got {year!r}")
        year = None
    source = obj.get("source")
    if not isinstance(source, str) or not source.strip():
        out.add(f"{dot}source", "请填写通知文号", "source (the notice reference) is required")
        source = ""
    days: dict[str, list[tuple[date, str | None, str]]] = {}
    for key in ("holidays", "workdays"):
        entries = obj.get(key, [])
        if not isinstance(entries, list):
            out.add(f"{dot}{key}", "应为列表", "must be a list")
            entries = []
        days[key] = [x for i, e in enumerate(entries) for x in _expand(e, f"{dot}{key}[{i}]", out)]
    if not days["holidays"]:
        out.add(f"{dot}holidays", "没有放假日期", "no holidays listed")
    if year is None:
        return None
    lo, hi = date(year, 1, 1) - SLACK, date(year, 12, 31) + SLACK
    for entries in days.values():
        for d, _, where in entries:
            if not lo <= d <= hi:
                out.add(where, f"{d} 不在 {year} 年内", f"{d} is outside {year}")
    for d, _, where in days["workdays"]:
        if d.weekday() < 5:
            out.add(where, f"调休上班日 {d} 不是周六或周日", f"working day {d} is not a Saturday or Sunday")
    holiday_at = {d: where for d, _, where in days["holidays"]}
    for d, _, where in days["workdays"]:
        if d in holiday_at:
            out.add(
                where,
                f"{d} 同时是放假日（{holiday_at[d]}）和上班日",
                f"{d} is both a holiday ({holiday_at[d]}) and a working day",
            )
    names = {d: n for entries in days.values() for d, n, _ in entries if n}
    return YearNotice(
        year=year,
        holidays=frozenset(d for d, _, _ in days["holidays"]),
        workdays=frozenset(d for d, _, _ in days["workdays"]),
        source=source.strip(),
        names=names,
    )


def parse_notices(text: str, filename: str = "<notice>") -> list[YearNotice]:
    """Parse notice JSON text; raises NoticeFormatError listing every problem."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NoticeFormatError(
            filename,
            [
                f"第 {exc.lineno} 行第 {exc.colno} 列：JSON 格式错误 / "
                f"line {exc.lineno} column {exc.colno}: {exc.msg}"
            ],
        ) from exc
    out = _Collector([])
    objs = data if isinstance(data, list) else [data]
    notices = [_notice(obj, f"[{i}]" if isinstance(data, list) else "", out) for i, obj in enumerate(objs)]
    years = [n.year for n in notices if n is not None]
    for y in sorted({y for y in years if years.count(y) > 1}):
        out.add("(file)", f"{y} 年出现多次", f"year {y} appears more than once")
    if not objs:
        out.add("(file)", "文件中没有通知", "the file holds no notice")
    if out.problems:
        raise NoticeFormatError(filename, out.problems)
    return [n for n in notices if n is not None]


def load_notice_file(path: str | Path) -> list[YearNotice]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # tolerate a BOM from Windows editors
    except (OSError, UnicodeDecodeError) as exc:
        raise NoticeFormatError(str(path), [f"无法读取文件 / cannot read the file: {exc}"]) from exc
    return parse_notices(text, str(path))


def notice_to_json(notice: YearNotice) -> dict[str, Any]:
    """The file format for one notice (contiguous days merged into ranges), e.g. for export."""

    def runs(days: frozenset[date]) -> list[Any]:
        result: list[Any] = []
        for d in sorted(days):
            name = notice.names.get(d)
            last = result[-1] if result else None
            if (
                isinstance(last, dict)
                and date.fromisoformat(last["to"]) + timedelta(days=1) == d
                and last.get("name") == name
            ):
                last["to"] = d.isoformat()
            else:
                entry: dict[str, str] = {"from": d.isoformat(), "to": d.isoformat()}
                if name:
                    entry["name"] = name
                result.append(entry)
        return result

    return {
        "year": notice.year,
        "source": notice.source,
        "holidays": runs(notice.holidays),
        "workdays": runs(notice.workdays),
    }

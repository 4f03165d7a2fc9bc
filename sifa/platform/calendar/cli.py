"""`sifa deadline START N UNIT`: check a statutory period from the shell (issue 3, item 11).

The platform's `sifa` command calls `deadline_cli(argv, notices=...)`, passing the notices loaded
from the holiday table, so the shell answer is the one the workflows use.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import TextIO

from sifa.platform.calendar import statutory
from sifa.platform.calendar.deadlines import MAX_SPAN_DAYS, Unit, compute_deadline
from sifa.platform.calendar.holidays import LayeredHolidaySource, NoticeConflict, YearNotice

USAGE = (
    "用法 / usage: sifa deadline START N UNIT\n"
    "  START  触发事件日期（当日不计入），YYYY-MM-DD；按小时计算时为时刻 YYYY-MM-DDTHH:MM / "
    "ISO date of the triggering event (not counted); for hours the moment YYYY-MM-DDTHH:MM\n"
    "  N      期限长度，非负整数 / length of the period, a non-negative integer\n"
    "  UNIT   days（自然日，末日遇休息日顺延）、workdays（工作日）或 hours（小时，不顺延）/ "
    "days (natural days; an end on a rest day rolls to the next working day), workdays, "
    "or hours (elapsed hours, never rolled)"
)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?", re.ASCII)
_INT = re.compile(r"\d+", re.ASCII)
_UNIT_ALIASES = {
    "days": Unit.DAYS,
    "自然日": Unit.DAYS,
    "日": Unit.DAYS,
    "workdays": Unit.WORKDAYS,
    "工作日": Unit.WORKDAYS,
    "hours": Unit.HOURS,
    "小时": Unit.HOURS,
}

NoticesArg = Iterable[YearNotice] | Callable[[], Iterable[YearNotice]] | None


class _BadArgument(Exception):
    pass


def _parse(argv: Sequence[str]) -> tuple[date, int, Unit]:
    """START, N, UNIT; START is a datetime when UNIT is hours."""
    if len(argv) != 3:
        missing = ["START", "N", "UNIT"][len(argv) :] if len(argv) < 3 else []
        if missing:
            raise _BadArgument(f"缺少参数 {' '.join(missing)} / missing argument {' '.join(missing)}")
        raise _BadArgument(
            f"多余的参数：{' '.join(argv[3:])} / unexpected extra arguments: {' '.join(argv[3:])}"
        )
    raw_start, raw_n, raw_unit = argv
    unit = _UNIT_ALIASES.get(raw_unit.strip().lower())
    start: date
    try:
        if unit is Unit.HOURS:
            if not _ISO_MOMENT.fullmatch(raw_start):
                raise ValueError
            start = datetime.fromisoformat(raw_start)
        else:
            if not _ISO_DATE.fullmatch(raw_start):
                raise ValueError
            start = date.fromisoformat(raw_start)
    except ValueError:
        if unit is Unit.HOURS:
            raise _BadArgument(
                f"START 不是有效时刻（应为 YYYY-MM-DDTHH:MM）：{raw_start!r} / "
                f"START is not a valid moment YYYY-MM-DDTHH:MM: {raw_start!r}"
            ) from None
        raise _BadArgument(
            f"START 不是有效日期（应为 YYYY-MM-DD）：{raw_start!r} / "
            f"START is not a valid date YYYY-MM-DD: {raw_start!r}"
        ) from None
    if not statutory.MIN_YEAR <= start.year <= statutory.MAX_YEAR - 1:
        raise _BadArgument(
            f"START 年份应在 {statutory.MIN_YEAR}–{statutory.MAX_YEAR - 1} 之间 / "
            f"START year must be within {statutory.MIN_YEAR}–{statutory.MAX_YEAR - 1}: {raw_start}"
        )
    if not _INT.fullmatch(raw_n) or int(raw_n) > MAX_SPAN_DAYS // 10:
        raise _BadArgument(
            f"N 应为 0–{MAX_SPAN_DAYS // 10} 的整数：{raw_n!r} / "
            f"N must be an integer from 0 to {MAX_SPAN_DAYS // 10}: {raw_n!r}"
        )
    if unit is None:
        raise _BadArgument(
            f"UNIT 应为 days、workdays 或 hours：{raw_unit!r} / "
            f"UNIT must be days, workdays or hours: {raw_unit!r}"
        )
    return start, int(raw_n), unit


def deadline_cli(
    argv: Sequence[str],
    notices: NoticesArg = None,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run `sifa deadline`; returns the exit status (0 ok, 1 calendar data problem, 2 bad arguments).

    `notices`: State Council notices (or a callable giving them) loaded from the holiday table.
    """
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    if any(a in ("-h", "--help") for a in argv):
        print(USAGE, file=out)
        return 0
    try:
        start, length, unit = _parse(argv)
    except _BadArgument as exc:
        print(f"sifa deadline: {exc}", file=err)
        print(USAGE, file=err)
        return 2
    source = LayeredHolidaySource(notices if notices is not None else ())
    try:
        result = compute_deadline(start, length, unit, source)
    except (NoticeConflict, OverflowError) as exc:
        print(f"sifa deadline: {exc}", file=err)
        return 1
    if isinstance(result.due, datetime):  # a period of hours
        due = result.due.isoformat(timespec="minutes")
        print(
            f"起算时刻 {start:%Y-%m-%d %H:%M} + {length} 小时（不因休息日顺延）→ 到期 {due} / "
            f"{start:%Y-%m-%d %H:%M} + {length} elapsed hours (never rolled) → due {due}",
            file=out,
        )
        print(due, file=out)
        return 0
    unit_en = "natural days" if unit is Unit.DAYS else "working days"
    print(
        f"起算日 {start}（当日不计入）+ {length} {unit.label_zh} → 到期日 {result.due} / "
        f"{start} (not counted) + {length} {unit_en} → due {result.due}",
        file=out,
    )
    if result.rolled_from is not None:
        print(
            f"期间末日 {result.rolled_from} 为休息日，顺延至 {result.due} / "
            f"the period's last day {result.rolled_from} is a rest day; rolled to {result.due}",
            file=out,
        )
    if result.provisional:
        years = "、".join(str(y) for y in sorted(result.provisional_years))
        print(
            f"暂定：{years} 年尚无国务院放假通知，按放假办法推算，载入通知后可能变化 / "
            f"PROVISIONAL: no State Council notice loaded for {years}; computed from the statutory "
            "holidays and weekends, may change once the notice is loaded",
            file=err,
        )
    print(result.due.isoformat(), file=out)
    return 0


def main() -> None:  # pragma: no cover - thin wrapper for `python -m`
    sys.exit(deadline_cli(sys.argv[1:]))


if __name__ == "__main__":  # pragma: no cover
    main()

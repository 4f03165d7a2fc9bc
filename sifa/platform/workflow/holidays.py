"""The holiday table and the calendar every clock counts with.

* ``loaded_notices()`` — the State Council notices in the database, as calendar ``YearNotice``\\ s;
* ``calendar_source()`` — ``LayeredHolidaySource(notices)``: notices → chinesecalendar → statutory
  fallback (provisional). Cached per process; a saved notice bumps a version number in the shared
  Django cache (file cache / Redis), so the web, worker and beat processes all pick it up on their
  next call without a restart;
* ``load_notices(...)`` — the service behind `sifa holidays load FILE` and the admin upload:
  conflict check, atomic store, audit, and recompute of every clock that depended on those years;
* ``holidays_cli(action, file)`` — `sifa holidays load FILE` / `sifa holidays list`.
"""

from __future__ import annotations

import sys
import threading
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TextIO

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from sifa.platform.audit.models import ChangeAction
from sifa.platform.audit.services import record_change, snapshot
from sifa.platform.calendar import (
    LayeredHolidaySource,
    NoticeConflict,
    NoticeFormatError,
    YearNotice,
    load_notice_file,
    package_years,
)

from .models import HolidayNotice, StatutoryClock

_VERSION_KEY = "workflow:holidays:version"
_lock = threading.Lock()
_cached: tuple[Any, LayeredHolidaySource] | None = None


def loaded_notices() -> list[YearNotice]:
    """Every notice in the holiday table (one per year)."""
    return [row.to_notice() for row in HolidayNotice.objects.order_by("year")]


def _version() -> Any:
    return cache.get(_VERSION_KEY, 0)


def invalidate_calendar() -> None:
    """Drop this process's calendar and tell the other processes (shared cache) to drop theirs."""
    global _cached
    with _lock:
        _cached = None
    # A fresh token rather than a counter: a flushed cache then also reads as "changed".
    cache.set(_VERSION_KEY, uuid.uuid4().hex, timeout=None)


def calendar_source() -> LayeredHolidaySource:
    """The calendar with the loaded notices; rebuilt when a notice has been saved anywhere."""
    global _cached
    version = _version()
    with _lock:
        if _cached is not None and _cached[0] == version:
            return _cached[1]
        # The notices are read now (not lazily) so a conflict surfaces here, once.
        source = LayeredHolidaySource(loaded_notices())
        source.covered_years()
        _cached = (version, source)
        return source


@dataclass
class LoadResult:
    created: list[int] = field(default_factory=list)
    replaced: list[int] = field(default_factory=list)
    holidays: int = 0
    workdays: int = 0
    # clocks that were provisional and no longer are: (clock, old due, new due)
    settled: list[tuple[StatutoryClock, date, date]] = field(default_factory=list)
    still_provisional: int = 0


def load_notices(*, acting_user: Any, notices: list[YearNotice]) -> LoadResult:
    """Store the notices (replacing a year already loaded), atomically, and recompute the clocks.

    Raises ``NoticeConflict`` before writing anything when the new notices contradict each other
    or a notice already loaded for another year (notices list days of the neighbouring year).
    """
    from .services.clocks import refresh_clock  # services import this module

    years = {n.year for n in notices}
    kept = [n for n in loaded_notices() if n.year not in years]
    candidate = LayeredHolidaySource([*kept, *notices])
    candidate.covered_years()  # raises NoticeConflict
    result = LoadResult()
    with transaction.atomic():
        for notice in sorted(notices, key=lambda n: n.year):
            row = HolidayNotice.objects.select_for_update().filter(year=notice.year).first()
            before = snapshot(row) if row is not None else None
            if row is None:
                row = HolidayNotice()
                result.created.append(notice.year)
            else:
                result.replaced.append(notice.year)
            row.fill_from(notice)
            row.loaded_by = acting_user if getattr(acting_user, "pk", None) else None
            row.loaded_at = timezone.now()
            row.save()
            record_change(
                actor=acting_user,
                obj=row,
                action=ChangeAction.UPDATE if before else ChangeAction.CREATE,
                before=before,
                note=f"放假通知 {notice.source}"[:255],
            )
            result.holidays += len(notice.holidays)
            result.workdays += len(notice.workdays)
        transaction.on_commit(invalidate_calendar)
        # Recompute every clock that counted with a loaded year, or was provisional.
        today = timezone.localdate()
        touched = Q(stopped_on__isnull=True) & (Q(start_date__year__in=years) | Q(due_date__year__in=years))
        affected = StatutoryClock.objects.select_for_update().filter(Q(provisional=True) | touched)
        for clock in affected.order_by("pk"):
            old_due, was_provisional = clock.due_date, clock.provisional
            refresh_clock(clock, as_of=today, source=candidate, acting_user=acting_user)
            if not was_provisional:
                continue
            if not clock.provisional:
                result.settled.append((clock, old_due, clock.due_date))
            else:
                result.still_provisional += 1
    return result


def coverage(years: range | None = None) -> list[dict[str, Any]]:
    """Per year: loaded notice, package coverage, and whether clocks counting in it are provisional."""
    today = timezone.localdate()
    years = years or range(today.year - 1, today.year + 3)
    loaded = {row.year: row for row in HolidayNotice.objects.all()}
    packaged = package_years()
    provisional_clock_years: dict[int, int] = {}
    for yrs in StatutoryClock.objects.filter(provisional=True).values_list("provisional_years", flat=True):
        for y in yrs or []:
            provisional_clock_years[y] = provisional_clock_years.get(y, 0) + 1
    rows = []
    for y in sorted(set(years) | set(loaded) | set(provisional_clock_years)):
        notice = loaded.get(y)
        rows.append(
            {
                "year": y,
                "notice": notice,
                "packaged": y in packaged,
                "provisional": notice is None and y not in packaged,
                "provisional_clocks": provisional_clock_years.get(y, 0),
            }
        )
    return rows


def _write(stream: TextIO, text: str) -> None:
    stream.write(text + "\n")


def holidays_cli(
    action: str, file: str | None, *, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """`sifa holidays load FILE` / `sifa holidays list`. Exit 0 ok, 2 bad file or arguments."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    if action == "list":
        _write(out, "年份 year | 放假通知 notice | chinesecalendar | 暂定 provisional | 暂定期限数 clocks")
        for row in coverage():
            notice = row["notice"]
            _write(
                out,
                f"{row['year']} | {notice.source if notice else '-'} | "
                f"{'yes' if row['packaged'] else 'no'} | {'PROVISIONAL' if row['provisional'] else 'no'} | "
                f"{row['provisional_clocks']}",
            )
        return 0
    if action != "load":
        _write(err, f"sifa holidays: 未知操作 / unknown action {action!r} (load | list)")
        return 2
    if not file:
        _write(err, "sifa holidays load: 缺少参数 FILE / missing argument FILE")
        return 2
    try:
        notices = load_notice_file(file)
    except NoticeFormatError as exc:
        _write(err, f"sifa holidays load: {exc.filename}: 通知文件有误 / the notice file has problems:")
        for problem in exc.problems:
            _write(err, f"  - {problem}")
        _write(err, "未载入任何内容 / nothing was loaded")
        return 2
    try:
        result = load_notices(acting_user=None, notices=notices)
    except NoticeConflict as exc:
        _write(err, f"sifa holidays load: {exc}")
        _write(err, "未载入任何内容 / nothing was loaded")
        return 2
    for n in sorted(notices, key=lambda n: n.year):
        verb = "替换 replaced" if n.year in result.replaced else "载入 loaded"
        _write(
            out,
            f"{verb} {n.year}: {len(n.holidays)} 天放假 holidays, {len(n.workdays)} 天调休上班 "
            f"working days — {n.source}",
        )
    _write(
        out,
        f"{len(result.settled)} 个期限不再是暂定 / clocks no longer provisional; "
        f"{result.still_provisional} 个仍为暂定 / still provisional",
    )
    for clock, old_due, new_due in result.settled[:50]:
        moved = "" if old_due == new_due else f" (到期日 {old_due} → {new_due})"
        _write(out, f"  - #{clock.pk} {clock.label} {clock.article}: 到期日 due {new_due}{moved}")
    return 0

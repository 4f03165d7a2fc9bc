"""Deadline-scan benchmark: the set-based ``scan_deadlines`` at province scale on PostgreSQL, beside
the per-clock algorithm it replaced (kept below as ``baseline_scan``), in one run.

    .venv/bin/python bench/workflow.py [--clocks 100000] [--quick] [--baseline-budget 150]

1. drops and recreates ``sifa_bench_workflow`` on 127.0.0.1:5432 (user postgres), migrates it and
   loads ``load_demo(size="small")`` (Jiangxi: every bureau, one justice office per county);
2. bulk-inserts ``--clocks`` statutory clocks with one inbox task each, spread over the orgs that
   have staff, in a mix of real periods (行政复议法 Art 30 five working days, Art 62 sixty days,
   行政处罚法 Art 60 ninety days, 社区矫正法 Art 21 ten days, 政府信息公开条例 Art 33 twenty working
   days), with start dates chosen so that ≈5 % are near due and ≈2 % overdue today, ≈1 % paused
   (补正 pending). Their cache is as a scan left it **yesterday**, and no warning has been raised
   yet: the worst first scan of a day (every near-due and overdue clock warns);
3. times, as of today: the first scan, a second scan (nothing to do), recomputing every clock's due
   date with the calendar (``recompute_clocks``: what a notice load needs), the calendar alone per
   clock; then resets the state and runs the old per-clock scan on the same data. The baseline
   stops after ``--baseline-budget`` seconds and its time is extrapolated linearly (clocks are in
   random order, so the processed share is representative); the table says so.

Last line: ``RESULT scan_first_s=<n> scan_repeat_s=<n> baseline_first_s=<n> clocks=<n>``.
``--quick`` is 20,000 clocks and a 60 s baseline budget.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._common import format_table  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/sifa_bench_workflow"
SEED = 2026
# (name, label, article, unit, length) — real statutory periods
PERIODS = [
    ("acceptance", "受理审查期限", "行政复议法 第三十条", "workdays", 5),
    ("decision", "复议决定期限", "行政复议法 第六十二条", "days", 60),
    ("penalty", "处罚决定期限", "行政处罚法 第六十条", "days", 90),
    ("report", "社区矫正报到期限", "社区矫正法 第二十一条", "days", 10),
    ("disclosure", "信息公开答复期限", "政府信息公开条例 第三十三条", "workdays", 20),
]
SHARE = {"overdue": 0.02, "near_due": 0.05, "paused": 0.01}


class BenchError(SystemExit):
    def __init__(self, message: str) -> None:
        print(f"bench/workflow.py: {message}", file=sys.stderr)
        super().__init__(2)


def configure_environment(database_url: str) -> None:
    os.environ["SIFA_MODE"] = "development"
    os.environ["SIFA_DATABASE_URL"] = database_url
    os.environ["SIFA_DEBUG"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "sifa.config.settings"
    os.environ.setdefault("SIFA_LOG_LEVEL", "WARNING")


def recreate_database(database_url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        raise BenchError(f"refusing to drop database {name!r}: its name must contain 'bench'")
    admin_url = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    try:
        conn = psycopg.connect(admin_url, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        raise BenchError(f"PostgreSQL is not reachable ({str(exc).strip()[:120]})") from None
    with conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(database_url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(database_url)
    admin_url = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(parts.path.lstrip("/")))
        )


# --- data ------------------------------------------------------------------------------------------


def _start_buckets(today: date, source: Any) -> dict[tuple[int, str], list[date]]:
    """For each period, the start dates whose due date is overdue / near due / running today."""
    from sifa.platform.calendar import Clock
    from sifa.platform.calendar.deadlines import CalendarView
    from sifa.platform.workflow.scan import near_due_boundary

    boundary = near_due_boundary(CalendarView(source), today, 2)
    buckets: dict[tuple[int, str], list[date]] = {}
    for i, (_, _, _, unit, length) in enumerate(PERIODS):
        for back in range(1, 200):
            start = today - timedelta(days=back)
            due = Clock(start, unit, length).status(today, source).due  # type: ignore[arg-type]
            if due < today - timedelta(days=30):
                continue
            kind = "overdue" if due < today else "near_due" if due <= boundary else "running"
            buckets.setdefault((i, kind), []).append(start)
    return buckets


def load_data(n: int, today: date) -> dict[str, Any]:
    from django.contrib.auth.hashers import make_password
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection

    from sifa.platform.accounts.models import User
    from sifa.platform.accounts.roles import Role
    from sifa.platform.calendar import Clock, Pause
    from sifa.platform.demo import load_demo
    from sifa.platform.orgs.models import Org, OrgKind
    from sifa.platform.workflow.holidays import calendar_source
    from sifa.platform.workflow.models import ClockPause, StatutoryClock, Task

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(load_demo(size="small"))
    rng = random.Random(SEED)
    source = calendar_source()
    yesterday = today - timedelta(days=1)
    buckets = _start_buckets(today, source)
    # Two staff per bureau and justice office (the small demo has a handful of users): a role task
    # tells both, so each warning is two notifications, as in a real office.
    kinds_of: dict[str, str] = {
        OrgKind.JUSTICE_BUREAU.value: Role.BUREAU_STAFF.value,
        OrgKind.JUSTICE_OFFICE.value: Role.OFFICE_STAFF.value,
    }
    staff: list[User] = []
    unusable = make_password(None)  # bench users never log in
    for org_id, kind in Org.objects.filter(kind__in=list(kinds_of)).values_list("pk", "kind"):
        for k in range(2):
            staff.append(
                User(username=f"bench{org_id}_{k}", role=kinds_of[kind], org_id=org_id, password=unusable)
            )
    User.objects.bulk_create(staff, batch_size=1000)
    roles: dict[int, str] = {}
    users_of: dict[int, list[int]] = {}
    for pk, org_id, role in User.objects.filter(username__startswith="bench").values_list(
        "pk", "org_id", "role"
    ):
        assert org_id is not None
        roles[org_id] = role
        users_of.setdefault(org_id, []).append(pk)
    orgs = sorted(roles)
    approver = User.objects.filter(is_superuser=True).first() or User.objects.first()
    org_ct = ContentType.objects.get_for_model(Org)
    memo: dict[tuple[date, int], Any] = {}
    kinds: Counter[str] = Counter()
    clocks: list[StatutoryClock] = []
    paused_starts: dict[int, date] = {}
    for i in range(n):
        r = rng.random()
        kind = "overdue" if r < SHARE["overdue"] else "near_due" if r < 0.07 else "running"
        period = rng.randrange(len(PERIODS))
        while (period, kind) not in buckets:
            period = rng.randrange(len(PERIODS))
        name, label, article, unit, length = PERIODS[period]
        start = rng.choice(buckets[(period, kind)])
        paused = kind == "running" and rng.random() < SHARE["paused"] / 0.93
        if paused:
            pause_on = start + timedelta(days=1)
            status = Clock(start, unit, length, pauses=(Pause(pause_on, None, "补正", "1"),)).status(  # type: ignore[arg-type]
                yesterday, source
            )
            paused_starts[i] = pause_on
            kind = "paused"
        else:
            key = (start, period)
            if key not in memo:
                memo[key] = Clock(start, unit, length).status(yesterday, source)  # type: ignore[arg-type]
            status = memo[key]
        kinds[kind] += 1
        clocks.append(
            StatutoryClock(
                content_type=org_ct,
                object_id=str(100_000_000 + i),  # a synthetic object per clock
                org_id=rng.choice(orgs),
                name=name,
                label=label,
                article=article,
                unit=unit,
                length=length,
                start_date=start,
                near_due_workdays=2,
                due_date=status.due,
                provisional=status.provisional,
                provisional_years=sorted(status.provisional_years),
                state=status.state.value,
                remaining=status.remaining,
                checked_on=yesterday,
            )
        )
    created = StatutoryClock.objects.bulk_create(clocks, batch_size=5000)
    ClockPause.objects.bulk_create(
        [
            ClockPause(clock=created[i], paused_on=on, reason="补正", approver=approver)
            for i, on in paused_starts.items()
        ],
        batch_size=5000,
    )
    level = {"near_due": "near_due", "overdue": "overdue"}
    Task.objects.bulk_create(
        [
            Task(
                org_id=c.org_id,
                # one task in five is given to a named handler, the rest to the office's role
                assignee_role="" if c.pk % 5 == 0 else roles[c.org_id],
                assignee_user_id=users_of[c.org_id][0] if c.pk % 5 == 0 else None,
                title=f"{c.label}事项{c.object_id}",
                content_type=org_ct,
                object_id=c.object_id,
                url=f"/cases/{c.object_id}/",
                clock=c,
                due_date=c.due_date,
                provisional=c.provisional,
                warning=level.get(c.state, "none"),
            )
            for c in created
        ],
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return {"seconds": time.perf_counter() - started, "kinds": dict(kinds), "orgs": len(orgs)}


def reset_to_yesterday(today: date) -> None:
    """Undo what a scan wrote (the audit events stay: they are append-only and nobody reads them)."""
    from django.db import connection

    from sifa.platform.workflow.models import ClockWarning, Notification, StatutoryClock

    ClockWarning.objects.all().delete()
    Notification.objects.all().delete()
    StatutoryClock.objects.update(checked_on=today - timedelta(days=1))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


# --- the per-clock scan this replaced (the baseline) -------------------------------------------------


@dataclass
class BaselineResult:
    clocks: int = 0
    warnings_raised: int = 0
    notifications: int = 0
    tasks_updated: int = 0
    stopped_early: bool = False


def baseline_scan(as_of: date, budget_s: float) -> BaselineResult:
    """The pre-set-based algorithm (sifa/platform/workflow/deadlines.py at commit 1aa44a5): every
    clock not settled today is recomputed with ``refresh_clock`` (one UPDATE of the clock and one
    of its tasks per changed clock), task levels per batch, then each warning in its own
    transaction (get_or_create + event + one notification per recipient, each checked first)."""
    from django.db import IntegrityError, transaction
    from django.db.models import Prefetch, Q

    from sifa.platform.audit.services import record_event
    from sifa.platform.calendar import ClockState
    from sifa.platform.workflow.holidays import calendar_source
    from sifa.platform.workflow.models import (
        ClockPause,
        ClockWarning,
        StatutoryClock,
        Task,
        TaskStatus,
        WarningLevel,
    )
    from sifa.platform.workflow.services.clocks import refresh_clock
    from sifa.platform.workflow.services.inbox import notify, recipients

    level_of = {"near_due": WarningLevel.NEAR_DUE, "overdue": WarningLevel.OVERDUE}
    text_of = {WarningLevel.NEAR_DUE: "临近到期", WarningLevel.OVERDUE: "已超期"}
    source = calendar_source()
    result = BaselineResult()
    started = time.perf_counter()

    def raise_warning(clock: StatutoryClock, level: str) -> tuple[bool, int]:
        ct = clock.content_type
        try:
            with transaction.atomic():
                _, created = ClockWarning.objects.get_or_create(
                    clock=clock, level=level, due_date=clock.due_date, defaults={"raised_on": as_of}
                )
                if not created:
                    return False, 0
                record_event(
                    code=f"deadline.{level}",
                    actor=None,
                    obj=clock,
                    data={
                        "name": clock.name,
                        "article": clock.article,
                        "due": clock.due_date,
                        "remaining": clock.remaining,
                        "as_of": as_of,
                        "provisional": clock.provisional,
                        "object": f"{ct.app_label}.{ct.model}#{clock.object_id}",
                    },
                )
                sent = 0
                for task in Task.objects.filter(clock=clock, status=TaskStatus.OPEN).order_by("pk"):
                    level_text = text_of[WarningLevel(level)]
                    text = f"【{level_text}】{task.title}（{clock.label}，到期日 {clock.due_date}）"
                    for user in recipients(task):
                        key = f"deadline:{clock.pk}:{level}:{clock.due_date}:{user.pk}"
                        if notify(user=user, text=text, url=task.url, key=key) is not None:
                            sent += 1
                return True, sent
        except IntegrityError:
            return False, 0

    def scan_batch(batch: list[StatutoryClock]) -> None:
        by_level: dict[str, list[int]] = {}
        for clock in batch:
            refresh_clock(clock, as_of=as_of, source=source, record_move=False)
            by_level.setdefault(level_of.get(clock.state, WarningLevel.NONE), []).append(clock.pk)
        for level, ids in by_level.items():
            result.tasks_updated += (
                Task.objects.filter(clock_id__in=ids, status=TaskStatus.OPEN)
                .exclude(warning=level)
                .update(warning=level)
            )
        warned = set(
            ClockWarning.objects.filter(clock_id__in=[c.pk for c in batch]).values_list(
                "clock_id", "level", "due_date"
            )
        )
        for clock in batch:
            result.clocks += 1
            level = level_of.get(clock.state, WarningLevel.NONE)
            if level == WarningLevel.NONE or (clock.pk, level.value, clock.due_date) in warned:
                continue
            raised, sent = raise_warning(clock, level)
            result.warnings_raised += int(raised)
            result.notifications += sent

    settled = Q(checked_on=as_of, state__in=[ClockState.RUNNING.value, ClockState.PAUSED.value])
    clocks = (
        StatutoryClock.objects.filter(stopped_on__isnull=True)
        .exclude(settled)
        .select_related("content_type")
        .prefetch_related(
            Prefetch("pauses", queryset=ClockPause.objects.order_by("paused_on", "id")), "extensions"
        )
        .order_by("pk")
    )
    batch: list[StatutoryClock] = []
    for clock in clocks.iterator(chunk_size=500):
        batch.append(clock)
        if len(batch) == 500:
            scan_batch(batch)
            batch = []
            if time.perf_counter() - started > budget_s:
                result.stopped_early = True
                return result
    if batch:
        scan_batch(batch)
    return result


# --- run -------------------------------------------------------------------------------------------


def timed(call: Any) -> tuple[float, Any, int]:
    """Seconds, result and number of SQL statements of ``call()`` (counted by an execute wrapper:
    CaptureQueriesContext keeps only the last 9,000)."""
    from django.db import connection

    count = 0

    def counter(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        value = call()
        seconds = time.perf_counter() - started
    return seconds, value, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clocks", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="20,000 clocks, 60 s baseline budget")
    parser.add_argument("--baseline-budget", type=float, default=150.0, help="seconds (then extrapolate)")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    if args.quick:
        args.clocks, args.baseline_budget = 20_000, min(args.baseline_budget, 60.0)

    configure_environment(args.database_url)
    recreate_database(args.database_url)
    import django

    django.setup()
    from django.utils import timezone

    from sifa.platform.calendar import Clock
    from sifa.platform.workflow.holidays import calendar_source
    from sifa.platform.workflow.models import StatutoryClock
    from sifa.platform.workflow.scan import recompute_clocks, scan_deadlines

    today = timezone.localdate()
    try:
        info = load_data(args.clocks, today)
        print(
            f"loaded {args.clocks:,} clocks + tasks over {info['orgs']} orgs in {info['seconds']:.1f} s; "
            f"as of {today}: {info['kinds']}"
        )
        rows = []
        first_s, first, first_q = timed(lambda: scan_deadlines(as_of=today))
        rows.append(
            [
                "set-based scan, first of the day",
                first_s,
                first_q,
                first.clocks,
                first.warnings_raised,
                first.notifications,
                first.tasks_updated,
            ]
        )
        repeat_s, repeat, repeat_q = timed(lambda: scan_deadlines(as_of=today))
        rows.append(
            [
                "set-based scan, repeat",
                repeat_s,
                repeat_q,
                repeat.clocks,
                repeat.warnings_raised,
                repeat.notifications,
                repeat.tasks_updated,
            ]
        )
        source = calendar_source()
        all_open = StatutoryClock.objects.filter(stopped_on__isnull=True)
        rc_s, written, rc_q = timed(lambda: recompute_clocks(all_open, as_of=today, source=source))
        rows.append(["recompute_clocks (all, calendar + bulk)", rc_s, rc_q, written, 0, 0, 0])

        def per_clock() -> int:
            n = 0
            for clock in all_open.prefetch_related("pauses", "extensions").iterator(chunk_size=2000):
                clock.to_clock().status(today, source)
                n += 1
            return n

        pc_s, n_pc, pc_q = timed(per_clock)
        rows.append(["Clock.status per clock (no memo, no write)", pc_s, pc_q, n_pc, 0, 0, 0])

        reset_to_yesterday(today)
        base_s, base, base_q = timed(lambda: baseline_scan(today, args.baseline_budget))
        total = StatutoryClock.objects.filter(stopped_on__isnull=True).count()
        base_full = base_s * total / max(base.clocks, 1) if base.stopped_early else base_s
        label = "baseline per-clock scan, first" + (
            f" ({base.clocks:,} of {total:,} clocks in {base_s:.0f} s, extrapolated)"
            if base.stopped_early
            else ""
        )
        rows.append(
            [
                label,
                base_full,
                base_q,
                base.clocks,
                base.warnings_raised,
                base.notifications,
                base.tasks_updated,
            ]
        )
        print()
        print(
            format_table(
                ["operation", "seconds", "queries", "clocks", "warnings", "notifications", "tasks"], rows
            )
        )
        print()
        print(
            f"speed-up of the first scan: {base_full / first_s:.0f}x; "
            f"calendar memo: {Clock.__name__}.status per clock {pc_s:.1f} s vs recompute_clocks {rc_s:.1f} s"
        )
        print(
            f"RESULT scan_first_s={first_s:.2f} scan_repeat_s={repeat_s:.2f} "
            f"baseline_first_s={base_full:.1f} clocks={args.clocks}"
        )
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            drop_database(args.database_url)


if __name__ == "__main__":
    main()

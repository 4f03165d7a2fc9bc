"""The periodic deadline scan (预警), set-based: a province's open clocks in a few hundred statements.

What a scan does, as of ``as_of`` (today in Asia/Shanghai by default):

1. **Recompute the few clocks whose cached due date is not a function of their stored inputs
   alone** — a clock with an open pause (its due date moves one day later per paused day), a pause
   dated after ``as_of`` (a back-dated scan), a pause that ended after the due date (it changes how
   overdue days are counted) or after the day the cache was computed, and a provisional clock
   whose provisional year the calendar now covers (a notice, or a newer chinesecalendar).
   Everything else keeps its cached ``due_date``: every clock service and every notice load
   recomputes what it changes.
2. **States from the cached due date, in SQL.** The near-due window is in working days (行政复议法
   Art 88 / 民事诉讼法 Art 85 count working days; the due date itself counts), so its boundary is
   computed **once per scan** with the calendar: the last date with at most N working days in
   (as_of, date]. Then ``due_date < as_of`` → overdue, ``as_of ≤ due_date ≤ boundary`` → near-due,
   later → running. ``remaining`` is computed once per distinct (unit, due date) from a prefix count
   of working days, and written with one UPDATE per group; clocks already refreshed for ``as_of``
   are not touched, so a repeated scan writes nothing.
3. **Task warning levels**: three UPDATE … WHERE statements (none / near-due / overdue).
4. **On expiry** (``ClockSpec.on_expiry``, e.g. 行政复议法 Art 30 deemed acceptance): the few
   overdue clocks that declare one are transitioned one by one, as the system.
5. **Warnings once per clock, level and due date**: in chunks, each chunk one transaction:
   ``INSERT … ON CONFLICT DO NOTHING RETURNING`` into ``ClockWarning`` (its unique constraint is the
   idempotency key), then the ``deadline.*`` domain events and the notifications (unique ``key``,
   ``ignore_conflicts``) **only for the warnings this chunk actually inserted**. A second scan, a
   concurrent scan or a scan re-run after a worker died inserts nothing.
6. Tasks without a clock get levels from their own due date (same boundary, three UPDATEs).

Clocks counted in **hours** (社区矫正法 Art 47: 48 hours) do not use the calendar and change state
within a day, so steps 1–2 leave them out and every scan computes them from their cached due
moment against ``now`` (they are few: one per pending arrest request): overdue after ``due_at``,
near-due within ``SIFA_NEAR_DUE_HOURS`` (default 12) of it, ``remaining`` in whole hours; only rows
whose values changed are written, so a repeated scan still writes nothing new.

The per-clock algorithm this replaces is kept in ``bench/workflow.py`` as the benchmark baseline.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from sifa.platform.audit.context import current_request_id
from sifa.platform.audit.models import DomainEvent
from sifa.platform.calendar import Clock, ClockState, ClockStatus, Extension, HolidaySource, Pause, Unit
from sifa.platform.calendar.deadlines import CalendarView, advance

from .holidays import calendar_source
from .models import (
    ClockExtension,
    ClockPause,
    ClockWarning,
    Notification,
    StatutoryClock,
    Task,
    TaskStatus,
    WarningLevel,
)
from .models.clocks import near_due_hours
from .models.history import WORKFLOW_MODELS
from .services.common import moment_of, today

logger = logging.getLogger(__name__)

CHUNK = 1000  # warnings per transaction; clocks per recompute page
ONE_DAY = timedelta(days=1)
LEVEL_OF_STATE = {
    ClockState.NEAR_DUE.value: WarningLevel.NEAR_DUE,
    ClockState.OVERDUE.value: WarningLevel.OVERDUE,
}
LEVEL_TEXT = {WarningLevel.NEAR_DUE: "临近到期", WarningLevel.OVERDUE: "已超期"}
CACHE_FIELDS = ["due_date", "provisional", "provisional_years", "state", "remaining", "checked_on"]


@dataclass
class ScanResult:
    as_of: str
    clocks: int = 0  # open clocks whose cached state/remaining was rewritten for as_of
    recomputed: int = 0  # clocks whose due date was recomputed with the calendar (step 1)
    near_due: int = 0  # open clocks near due after the scan
    overdue: int = 0  # open clocks overdue after the scan
    warnings_raised: int = 0
    notifications: int = 0
    tasks_updated: int = 0
    expired: int = 0  # statutory consequences applied (ClockSpec.on_expiry), e.g. deemed acceptance

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- the calendar, once per scan ------------------------------------------------------------------


def near_due_boundary(view: CalendarView, as_of: date, workdays: int) -> date:
    """The last date D with at most ``workdays`` working days in (as_of, D]: a clock due on or before
    D (and not before as_of) is near due. It is the day before the (workdays+1)-th working day after
    as_of — e.g. as_of Thu 2025-10-09, 2 working days: Fri 10/10 and the 调休 Saturday 10/11 are the
    two, Mon 10/13 the third, so the boundary is Sun 10/12."""
    third, _ = advance(view, as_of, workdays + 1, Unit.WORKDAYS)
    return third - ONE_DAY


class WorkdayIndex:
    """Working days counted once over [lo, hi]: ``count(a, b)`` is the number in (a, b], signed like
    ``calendar.count_units`` (negative when b < a), in O(1) instead of a walk per clock."""

    def __init__(self, view: CalendarView, lo: date, hi: date) -> None:
        self.lo = lo
        cumulative = [0]
        d = lo
        while d < hi:
            d += ONE_DAY
            cumulative.append(cumulative[-1] + (1 if view.is_working_day(d) else 0))
        self._cum = cumulative

    def _at(self, d: date) -> int:
        return self._cum[(d - self.lo).days]

    def count(self, after: date, through: date) -> int:
        return self._at(through) - self._at(after)


def _state_of(due: date, as_of: date, boundary: date) -> str:
    if due < as_of:
        return ClockState.OVERDUE.value
    if due <= boundary:
        return ClockState.NEAR_DUE.value
    return ClockState.RUNNING.value


# --- step 1: clocks that need the calendar --------------------------------------------------------


def _day_dependent_pause(as_of: date) -> Exists:
    """A pause that makes the clock's due date or remaining depend on ``as_of`` (see module doc)."""
    return Exists(
        ClockPause.objects.filter(clock=OuterRef("pk")).filter(
            Q(resumed_on__isnull=True)
            | Q(resumed_on__gt=as_of)
            # computed while the pause was still open (on checked_on): the cache is out of date
            | Q(resumed_on__gt=OuterRef("checked_on"))
            | Q(paused_on__gte=as_of)
            | Q(resumed_on__gt=OuterRef("due_date"))
        )
    )


def recompute_clocks(
    clocks: QuerySet[StatutoryClock],
    *,
    as_of: date,
    source: HolidaySource,
    record_moves: bool = False,
    chunk: int = CHUNK,
) -> int:
    """Recompute the cache of ``clocks`` with the calendar (``Clock.status``) and write the rows
    that changed, grouped by their new values, chunk by chunk (each chunk atomic); open tasks follow
    their clock's due date. Clocks without pauses share the computation per (start, unit, length,
    window): at province scale thousands of clocks start on the same day with the same period.

    ``record_moves`` writes a ``deadline.recomputed`` event for each clock whose due date moved
    (a notice settled it). Returns the number of rows rewritten. Clocks in hours are left out: they
    do not depend on the calendar (``_refresh_hour_clocks``)."""
    memo: dict[tuple[Any, ...], ClockStatus] = {}
    written = 0
    rows = (
        clocks.exclude(unit=Unit.HOURS.value)
        .order_by("pk")
        .values(
            "pk",
            "org_id",
            "start_date",
            "unit",
            "length",
            "stopped_on",
            "near_due_workdays",
            "rolls",
            *CACHE_FIELDS,
        )
    )
    last = 0
    while (
        True
    ):  # keyset pages (plain dicts: model instances and prefetch_related cost more than the calendar)
        page = list(rows.filter(pk__gt=last)[:chunk])
        if not page:
            return written
        last = page[-1]["pk"]
        ids = [r["pk"] for r in page]
        pauses: dict[int, list[Pause]] = defaultdict(list)
        for clock_id, paused_on, resumed_on, reason, approver_id in (
            ClockPause.objects.filter(clock_id__in=ids)
            .order_by("paused_on", "id")
            .values_list("clock_id", "paused_on", "resumed_on", "reason", "approver_id")
        ):
            pauses[clock_id].append(Pause(paused_on, resumed_on, reason, str(approver_id)))
        extensions: dict[int, list[Extension]] = defaultdict(list)
        for clock_id, length, reason, approver_id, granted_on in (
            ClockExtension.objects.filter(clock_id__in=ids)
            .order_by("granted_on", "id")
            .values_list("clock_id", "length", "reason", "approver_id", "granted_on")
        ):
            extensions[clock_id].append(Extension(length, reason, str(approver_id), granted_on))
        changed: list[tuple[dict[str, Any], tuple[Any, ...]]] = []
        for r in page:
            key = (
                r["start_date"],
                r["unit"],
                r["length"] + sum(e.length for e in extensions.get(r["pk"], ())),
                r["near_due_workdays"],
                r["stopped_on"],
                r["rolls"],
            )
            status = None if r["pk"] in pauses else memo.get(key)
            if status is None:
                status = Clock(
                    start=r["start_date"],
                    unit=Unit(r["unit"]),
                    length=r["length"],
                    pauses=tuple(pauses.get(r["pk"], ())),
                    extensions=tuple(extensions.get(r["pk"], ())),
                    stopped_on=r["stopped_on"],
                    near_due_workdays=r["near_due_workdays"],
                    roll=r["rolls"],
                ).status(as_of, source)
                if r["pk"] not in pauses:
                    memo[key] = status
            new = (
                status.due,
                status.provisional,
                tuple(sorted(status.provisional_years)),
                status.state.value,
                status.remaining,
                status.as_of,
            )
            old = tuple(tuple(r[f]) if f == "provisional_years" else r[f] for f in CACHE_FIELDS)
            if new != old:
                changed.append((r, new))
        if changed:
            written += _write_clocks(changed, record_moves)


def _write_clocks(changed: list[tuple[dict[str, Any], tuple[Any, ...]]], record_moves: bool) -> int:
    # Not bulk_update: its CASE WHEN per row costs milliseconds of SQL compilation per row. Clocks
    # that share a start and a period share every cached value, so one UPDATE … WHERE id IN per
    # distinct set of values is a handful of statements per chunk.
    groups: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for row, new in changed:
        groups[new].append(row["pk"])
    with transaction.atomic():
        for values, ids in groups.items():
            fields = dict(zip(CACHE_FIELDS, values, strict=True))
            fields["provisional_years"] = list(fields["provisional_years"])
            StatutoryClock.objects.filter(pk__in=ids).update(**fields)
            Task.objects.filter(clock_id__in=ids, status=TaskStatus.OPEN).exclude(
                due_date=fields["due_date"], provisional=fields["provisional"]
            ).update(due_date=fields["due_date"], provisional=fields["provisional"])
        moves = [(row, new) for row, new in changed if record_moves and row["due_date"] != new[0]]
        if moves:
            rid = current_request_id()
            DomainEvent.objects.bulk_create(
                DomainEvent(
                    code="deadline.recomputed",
                    org_id=row["org_id"],
                    request_id=rid,
                    object_type=StatutoryClock._meta.label,
                    object_id=str(row["pk"]),
                    data=_jsonable({"old_due": row["due_date"], "new_due": new[0], "provisional": new[1]}),
                )
                for row, new in moves
            )
    return len(changed)


def _recompute_dependent(open_clocks: QuerySet[StatutoryClock], as_of: date, source: HolidaySource) -> int:
    # Day-dependent clocks: once per day (a paused clock's due date moves daily; that is not news
    # worth an event, like the per-clock scan's record_move=False).
    dependent = open_clocks.filter(_day_dependent_pause(as_of)).exclude(checked_on=as_of)
    n = recompute_clocks(dependent, as_of=as_of, source=source)
    # Provisional clocks whose provisional years the calendar now covers: their due date may move.
    covered = set(getattr(source, "covered_years", frozenset)())
    provisional = open_clocks.filter(provisional=True).order_by().values_list("pk", "provisional_years")
    settled = [pk for pk, years in provisional if covered.intersection(years or [])]
    for i in range(0, len(settled), CHUNK):
        part = StatutoryClock.objects.filter(pk__in=settled[i : i + CHUNK])
        n += recompute_clocks(part, as_of=as_of, source=source, record_moves=True)
    return n


# --- step 2: states from the cached due date -------------------------------------------------------


def _refresh_states(
    open_clocks: QuerySet[StatutoryClock], as_of: date, view: CalendarView, boundaries: dict[int, date]
) -> int:
    """Rewrite state, remaining and checked_on of the clocks not yet refreshed for ``as_of``."""
    stale = open_clocks.exclude(checked_on=as_of).exclude(_day_dependent_pause(as_of))
    groups = list(stale.order_by().values_list("unit", "due_date", "near_due_workdays").distinct())
    if not groups:
        return 0
    dues = [due for _, due, _ in groups]
    index = WorkdayIndex(view, min(*dues, as_of), max(*dues, as_of))
    # (unit, window, state, remaining) -> due dates; one UPDATE each
    updates: dict[tuple[str, int, str, int], list[date]] = defaultdict(list)
    for unit, due, window in groups:
        if window not in boundaries:
            boundaries[window] = near_due_boundary(view, as_of, window)
        boundary = boundaries[window]
        remaining = (due - as_of).days if unit == Unit.DAYS.value else index.count(as_of, due)
        updates[(unit, window, _state_of(due, as_of, boundary), remaining)].append(due)
    written = 0
    for (unit, window, state, remaining), due_dates in updates.items():
        written += stale.filter(unit=unit, near_due_workdays=window, due_date__in=due_dates).update(
            state=state, remaining=remaining, checked_on=as_of
        )
    return written


def _refresh_hour_clocks(open_clocks: QuerySet[StatutoryClock], at: datetime) -> int:
    """State and remaining hours of the open clocks counted in hours, as of the moment ``at``,
    from their cached due moment (see module doc); one UPDATE per distinct new value set."""
    window = timedelta(hours=near_due_hours())
    checked_on = timezone.localdate(at)
    updates: dict[tuple[str, int], list[int]] = defaultdict(list)
    rows = open_clocks.filter(unit=Unit.HOURS.value, due_at__isnull=False).values_list(
        "pk", "due_at", "state", "remaining", "checked_on"
    )
    for pk, due_at, state, remaining, checked in rows:
        if due_at is None:  # excluded by the filter; keeps the type checker informed
            continue
        if due_at < at:
            new_state = ClockState.OVERDUE.value
        elif due_at - at <= window:
            new_state = ClockState.NEAR_DUE.value
        else:
            new_state = ClockState.RUNNING.value
        new_remaining = (due_at - at) // timedelta(hours=1)
        if (state, remaining, checked) != (new_state, new_remaining, checked_on):
            updates[(new_state, new_remaining)].append(pk)
    for (state, remaining), ids in updates.items():
        StatutoryClock.objects.filter(pk__in=ids).update(
            state=state, remaining=remaining, checked_on=checked_on
        )
    return sum(len(ids) for ids in updates.values())


def _task_levels(as_of: date, boundary: date) -> int:
    """Open tasks follow their open clock's state; tasks without a clock follow their due date."""
    updated = 0
    by_clock = Task.objects.filter(status=TaskStatus.OPEN, clock__stopped_on__isnull=True)
    for level, states in (
        (WarningLevel.OVERDUE, [ClockState.OVERDUE.value]),
        (WarningLevel.NEAR_DUE, [ClockState.NEAR_DUE.value]),
        (WarningLevel.NONE, [ClockState.RUNNING.value, ClockState.PAUSED.value]),
    ):
        updated += by_clock.filter(clock__state__in=states).exclude(warning=level).update(warning=level)
    own = Task.objects.filter(status=TaskStatus.OPEN, clock__isnull=True, due_date__isnull=False)
    for level, cond in (
        (WarningLevel.OVERDUE, Q(due_date__lt=as_of)),
        (WarningLevel.NEAR_DUE, Q(due_date__gte=as_of, due_date__lte=boundary)),
        (WarningLevel.NONE, Q(due_date__gt=boundary)),
    ):
        updated += own.filter(cond).exclude(warning=level).update(warning=level)
    return updated


# --- step 4: statutory consequences of expiry ------------------------------------------------------


def _expiry_clocks(open_clocks: QuerySet[StatutoryClock]) -> list[StatutoryClock]:
    declared = Q(pk__in=[])
    for model in WORKFLOW_MODELS.values():
        names = [name for name, spec in model.workflow.clocks.items() if spec.on_expiry]
        if names:
            ct = ContentType.objects.get_for_model(model)
            declared |= Q(content_type_id=ct.pk, name__in=names)
    return list(
        open_clocks.filter(declared, state=ClockState.OVERDUE.value)
        .select_related("content_type")
        .order_by("pk")
    )


def _apply_expiry(clock: StatutoryClock) -> bool:
    """Perform the clock's ``on_expiry`` transition (as the system) if the object is still in a state
    it starts from, dated on the due date: e.g. 行政复议法 Art 30, an application not refused within
    the review period counts as accepted from the day the period ends."""
    from .services.transitions import TransitionError, transition

    ct = clock.content_type
    model = WORKFLOW_MODELS.get(f"{ct.app_label}.{ct.model}")
    spec = model.workflow.clocks.get(clock.name) if model is not None else None
    if model is None or spec is None or not spec.on_expiry:
        return False
    obj = model._default_manager.filter(pk=clock.object_id).first()
    if obj is None or obj.state not in model.workflow.get(spec.on_expiry).sources:
        return False
    try:
        transition(
            obj,
            spec.on_expiry,
            acting_user=None,
            system=True,
            on=clock.due_date,
            note=f"{clock.label}届满（{clock.article}）",
        )
    except (TransitionError, ValidationError):
        logger.exception("on_expiry transition %s failed for clock %s", spec.on_expiry, clock.pk)
        return False
    return True


# --- step 5: warnings, once ------------------------------------------------------------------------


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    """Event data as ``record_event`` stores it (dates as ISO strings)."""
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in data.items()}


def _insert_warnings(rows: list[tuple[int, str, date]], as_of: date) -> set[int]:
    """INSERT the (clock, level, due date) keys, skipping those already there; the clock ids that
    were inserted by *this* statement (PostgreSQL and SQLite ≥ 3.35 both have ON CONFLICT and
    RETURNING)."""
    table = connection.ops.quote_name(ClockWarning._meta.db_table)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(rows))
    params: list[Any] = []
    raised_on = connection.ops.adapt_datefield_value(as_of)
    for clock_id, level, due in rows:
        params += [clock_id, level, connection.ops.adapt_datefield_value(due), raised_on, now]
    # Only the quoted table name and placeholders are formatted in; every value is a parameter.
    sql = (
        f"INSERT INTO {table} (clock_id, level, due_date, raised_on, created_at) VALUES {values} "  # noqa: S608
        "ON CONFLICT (clock_id, level, due_date) DO NOTHING RETURNING clock_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0] for row in cursor.fetchall()}


def _recipients(tasks: Sequence[Mapping[str, Any]]) -> dict[int, list[int]]:
    """Task id → user ids told about it (services.inbox.recipients, for many tasks in two queries):
    its user, or every active user of its role in its own org."""
    user_model = get_user_model()
    direct = {t["assignee_user_id"] for t in tasks if t["assignee_user_id"] is not None}
    active = set(user_model.objects.filter(pk__in=direct, is_active=True).values_list("pk", flat=True))
    pairs = {(t["org_id"], t["assignee_role"]) for t in tasks if t["assignee_user_id"] is None}
    by_pair: dict[tuple[int, str], list[int]] = defaultdict(list)
    if pairs:
        for pk, org_id, role in (
            user_model.objects.filter(
                org_id__in={o for o, _ in pairs}, role__in={r for _, r in pairs}, is_active=True
            )
            .order_by("pk")
            .values_list("pk", "org_id", "role")
        ):
            by_pair[(org_id, role)].append(pk)
    out: dict[int, list[int]] = {}
    for t in tasks:
        if t["assignee_user_id"] is not None:
            out[t["id"]] = [t["assignee_user_id"]] if t["assignee_user_id"] in active else []
        else:
            out[t["id"]] = by_pair.get((t["org_id"], t["assignee_role"]), [])
    return out


def _raise_chunk(clocks: list[StatutoryClock], as_of: date, result: ScanResult) -> None:
    """One transaction: the warning keys, then events and notifications for those inserted."""
    with transaction.atomic():
        inserted = _insert_warnings(
            [(c.pk, LEVEL_OF_STATE[c.state].value, c.due_date) for c in clocks], as_of
        )
        if not inserted:
            return
        raised = [c for c in clocks if c.pk in inserted]
        rid = current_request_id()
        DomainEvent.objects.bulk_create(
            DomainEvent(
                code=f"deadline.{LEVEL_OF_STATE[c.state].value}",
                org_id=c.org_id,
                request_id=rid,
                object_type=StatutoryClock._meta.label,
                object_id=str(c.pk),
                data=_jsonable(
                    {
                        "name": c.name,
                        "article": c.article,
                        "due": c.due_display,
                        "remaining": c.remaining,
                        "as_of": as_of,
                        "provisional": c.provisional,
                        "object": f"{c.content_type.app_label}.{c.content_type.model}#{c.object_id}",
                    }
                ),
            )
            for c in raised
        )
        by_pk = {c.pk: c for c in raised}
        tasks = list(
            Task.objects.filter(clock_id__in=inserted, status=TaskStatus.OPEN)
            .order_by("pk")
            .values("id", "clock_id", "title", "url", "assignee_user_id", "assignee_role", "org_id")
        )
        who = _recipients(tasks)
        notes: list[Notification] = []
        for t in tasks:
            c = by_pk[t["clock_id"]]
            level = LEVEL_OF_STATE[c.state]
            text = f"【{LEVEL_TEXT[level]}】{t['title']}（{c.label}，到期 {c.due_display}）"
            for user_id in who[t["id"]]:
                key = f"deadline:{c.pk}:{level.value}:{c.due_date}:{user_id}"
                notes.append(Notification(user_id=user_id, text=text[:255], url=t["url"][:255], key=key))
        # The key is unique: a notification already sent (e.g. by the per-clock scan) is skipped.
        Notification.objects.bulk_create(notes, ignore_conflicts=True, batch_size=CHUNK)
        result.warnings_raised += len(raised)
        result.notifications += len(notes)


def _raise_warnings(open_clocks: QuerySet[StatutoryClock], as_of: date, result: ScanResult) -> None:
    already = ClockWarning.objects.filter(
        clock=OuterRef("pk"), level=OuterRef("state"), due_date=OuterRef("due_date")
    )
    pending = (
        open_clocks.filter(state__in=list(LEVEL_OF_STATE))
        .exclude(Exists(already))
        .select_related("content_type")
        .only(
            "pk",
            "org_id",
            "name",
            "label",
            "article",
            "due_date",
            "due_at",
            "unit",
            "remaining",
            "provisional",
            "state",
            "object_id",
            "content_type",
        )
        .order_by("pk")
    )
    last = 0
    while True:  # keyset pages: each chunk commits before the next is read
        chunk = list(pending.filter(pk__gt=last)[:CHUNK])
        if not chunk:
            return
        _raise_chunk(chunk, as_of, result)
        last = chunk[-1].pk


# --- the scan --------------------------------------------------------------------------------------


def scan_deadlines(
    *, as_of: date | None = None, source: HolidaySource | None = None, at: datetime | None = None
) -> ScanResult:
    """Refresh every open clock's state for ``as_of``, set task warning levels, apply on-expiry
    consequences and raise each near-due / overdue warning once. Idempotent (see module doc).

    Clocks in hours are evaluated at the moment ``at``: now when the scan is for today, else the
    last moment of ``as_of``."""
    as_of = as_of or (timezone.localdate(at) if at is not None else today())
    at = at or moment_of(as_of)
    source = source or calendar_source()
    result = ScanResult(as_of=as_of.isoformat())
    view = CalendarView(source)
    default_window = int(getattr(settings, "SIFA_NEAR_DUE_WORKDAYS", 3))
    boundaries = {default_window: near_due_boundary(view, as_of, default_window)}
    open_clocks = StatutoryClock.objects.filter(stopped_on__isnull=True)
    day_clocks = open_clocks.exclude(unit=Unit.HOURS.value)

    result.recomputed = _recompute_dependent(day_clocks, as_of, source)
    result.clocks = _refresh_states(day_clocks, as_of, view, boundaries) + result.recomputed
    result.clocks += _refresh_hour_clocks(open_clocks, at)
    for clock in _expiry_clocks(open_clocks):
        if _apply_expiry(clock):
            result.expired += 1
    if result.expired:
        # The transitions started new clocks (e.g. the Art 62 decision period), computed as of the
        # real today: bring them to as_of too (a no-op when the scan runs for today).
        result.clocks += _refresh_states(day_clocks, as_of, view, boundaries)
        result.clocks += _refresh_hour_clocks(open_clocks, at)
    result.tasks_updated = _task_levels(as_of, boundaries[default_window])
    _raise_warnings(open_clocks, as_of, result)
    counts = _state_counts(open_clocks)
    result.near_due = counts.get(ClockState.NEAR_DUE.value, 0)
    result.overdue = counts.get(ClockState.OVERDUE.value, 0)
    return result


def _state_counts(open_clocks: QuerySet[StatutoryClock]) -> dict[str, int]:
    rows = (
        open_clocks.filter(state__in=list(LEVEL_OF_STATE))
        .order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    return dict(rows)

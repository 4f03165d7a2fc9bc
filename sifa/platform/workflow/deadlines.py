"""The periodic deadline scan (预警): recompute every running clock, set the inbox tasks' warning
levels, and raise each near-due / overdue warning once.

Idempotent: running it twice (or twice at once, or again after a worker died mid-run) changes
nothing the second time — ``ClockWarning`` (unique per clock, level and due date) and
``Notification.key`` are the idempotency keys, written in the same transaction as the event.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q

from sifa.platform.audit.services import record_event
from sifa.platform.calendar import ClockState, HolidaySource, Unit
from sifa.platform.calendar.deadlines import CalendarView, count_units

from .holidays import calendar_source
from .models import ClockPause, ClockWarning, StatutoryClock, Task, TaskStatus, WarningLevel
from .models.history import WORKFLOW_MODELS
from .services.clocks import refresh_clock
from .services.common import today
from .services.inbox import notify, recipients

logger = logging.getLogger(__name__)

LEVEL_OF_STATE = {
    ClockState.NEAR_DUE.value: WarningLevel.NEAR_DUE,
    ClockState.OVERDUE.value: WarningLevel.OVERDUE,
}
LEVEL_TEXT = {
    WarningLevel.NEAR_DUE: "临近到期",
    WarningLevel.OVERDUE: "已超期",
}


@dataclass
class ScanResult:
    as_of: str
    clocks: int = 0
    near_due: int = 0
    overdue: int = 0
    warnings_raised: int = 0
    notifications: int = 0
    tasks_updated: int = 0
    expired: int = 0  # statutory consequences applied (ClockSpec.on_expiry), e.g. deemed acceptance

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _raise_warning(clock: StatutoryClock, level: str, as_of: date) -> tuple[bool, int]:
    """Record the warning, its event and its notifications once. Returns (raised, notifications)."""
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
                    "object": f"{clock.content_type.app_label}.{clock.content_type.model}#{clock.object_id}",
                },
            )
            sent = 0
            for task in Task.objects.filter(clock=clock, status=TaskStatus.OPEN).order_by("pk"):
                level_text = LEVEL_TEXT[WarningLevel(level)]
                text = f"【{level_text}】{task.title}（{clock.label}，到期日 {clock.due_date}）"
                for user in recipients(task):
                    key = f"deadline:{clock.pk}:{level}:{clock.due_date}:{user.pk}"
                    if notify(user=user, text=text, url=task.url, key=key) is not None:
                        sent += 1
            return True, sent
    except IntegrityError:  # a concurrent scan raised it first
        return False, 0


def _apply_expiry(clock: StatutoryClock) -> bool:
    """Perform the clock's ``on_expiry`` transition (as the system), if it declares one and the
    object is still in a state it starts from. The event is dated on the due date: e.g. 行政复议法
    Art 30, an application not refused within the review period counts as accepted from the day
    the period ends."""
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


def _task_level(task: Task, as_of: date, view: CalendarView, near_due_workdays: int) -> str:
    if task.due_date is None:
        return WarningLevel.NONE
    if as_of > task.due_date:
        return WarningLevel.OVERDUE
    if count_units(view, as_of, task.due_date, Unit.WORKDAYS, None) <= near_due_workdays:
        return WarningLevel.NEAR_DUE
    return WarningLevel.NONE


CHUNK = 500


def _scan_batch(batch: list[StatutoryClock], as_of: date, source: HolidaySource, result: ScanResult) -> None:
    """A few queries per batch (task levels, existing warnings) instead of a few per clock."""
    by_level: dict[str, list[int]] = {}
    for clock in batch:
        # A paused clock's due date moves every day: that is not news worth an event.
        refresh_clock(clock, as_of=as_of, source=source, record_move=False)
        by_level.setdefault(LEVEL_OF_STATE.get(clock.state, WarningLevel.NONE), []).append(clock.pk)
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
        level = LEVEL_OF_STATE.get(clock.state, WarningLevel.NONE)
        result.clocks += 1
        if level == WarningLevel.NONE:
            continue
        if level == WarningLevel.NEAR_DUE:
            result.near_due += 1
        else:
            result.overdue += 1
            if _apply_expiry(clock):
                result.expired += 1
                continue
        if (clock.pk, level.value, clock.due_date) in warned:
            continue
        raised, sent = _raise_warning(clock, level, as_of)
        result.warnings_raised += int(raised)
        result.notifications += sent


def scan_deadlines(*, as_of: date | None = None, source: HolidaySource | None = None) -> ScanResult:
    from django.conf import settings

    as_of = as_of or today()
    source = source or calendar_source()
    result = ScanResult(as_of=as_of.isoformat())
    # A running or paused clock already computed for this day cannot have changed: every clock
    # service and a notice load recompute what they touch. The scan runs every 15 minutes, so
    # after the day's first run only near-due and overdue clocks are looked at again.
    settled_today = Q(checked_on=as_of, state__in=[ClockState.RUNNING.value, ClockState.PAUSED.value])
    clocks = (
        StatutoryClock.objects.filter(stopped_on__isnull=True)
        .exclude(settled_today)
        .select_related("content_type")
        .prefetch_related(
            Prefetch("pauses", queryset=ClockPause.objects.order_by("paused_on", "id")), "extensions"
        )
        .order_by("pk")
    )
    batch: list[StatutoryClock] = []
    for clock in clocks.iterator(chunk_size=CHUNK):
        batch.append(clock)
        if len(batch) == CHUNK:
            _scan_batch(batch, as_of, source, result)
            batch = []
    if batch:
        _scan_batch(batch, as_of, source, result)
    # Tasks with a plain due date and no clock (e.g. an internal to-do) get levels too.
    view = CalendarView(source)
    near = int(getattr(settings, "SIFA_NEAR_DUE_WORKDAYS", 3))
    for task in Task.objects.filter(
        status=TaskStatus.OPEN, clock__isnull=True, due_date__isnull=False
    ).iterator():
        task_level = _task_level(task, as_of, view, near)
        if task.warning != task_level:
            Task.objects.filter(pk=task.pk).update(warning=task_level)
            result.tasks_updated += 1
    return result

"""Clock services: start, pause, resume, extend, stop — each recomputes the due date with the
calendar (loaded State Council notices included) and writes the audit rows.

Scope: these are building blocks called by ``transition`` and by domain services, which have
already checked that the acting user may act on the object (``ensure_in_scope``/``access_object``).
What is checked here is what the statutes require of the clock itself: an extension needs an
approver holding the clock's extension permission and a reason, within the statutory bounds
(e.g. 行政复议法 Art 62: one extension of at most 30 days approved by the 机构负责人).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sifa.platform.audit.models import ChangeAction
from sifa.platform.audit.services import record_change, record_event, snapshot
from sifa.platform.calendar import ClockError, ClockState, ClockStatus, HolidaySource, Unit

from ..models import ClockExtension, ClockPause, StatutoryClock, Task, TaskStatus
from .common import event_date, event_moment, moment_of, now, org_of, ref_of, today

DEFAULT_EXTENSION_PERMISSION = "workflow.extend_statutoryclock"


def _near_due_default() -> int:
    from django.conf import settings

    return int(getattr(settings, "SIFA_NEAR_DUE_WORKDAYS", 3))


def _source(source: HolidaySource | None) -> HolidaySource:
    if source is not None:
        return source
    from ..holidays import calendar_source

    return calendar_source()


def refresh_clock(
    clock: StatutoryClock,
    *,
    as_of: date | None = None,
    source: HolidaySource | None = None,
    acting_user: Any = None,
    record_move: bool = True,
    at: datetime | None = None,
) -> ClockStatus:
    """Recompute the cached due date, state and provisional flag, and the linked tasks' due dates.

    A due date that moves for a reason other than the clock's own events (a notice loaded) is
    recorded as a ``deadline.recomputed`` event. A clock in hours is computed at the moment ``at``
    (default: now, or the end of ``as_of``); its cache keeps the due moment in ``due_at`` and that
    moment's local date in ``due_date``.
    """
    due_at: datetime | None = None
    if clock.in_hours:
        status = clock.to_clock().status(at or moment_of(as_of))
        assert isinstance(status.due, datetime)  # a clock in hours computes moments
        assert isinstance(status.as_of, datetime)
        due_at = status.due
        due, checked_on = timezone.localdate(status.due), timezone.localdate(status.as_of)
    else:
        status = clock.to_clock().status(as_of or today(), _source(source))
        due, checked_on = status.due, status.as_of
    old_due = clock.due_date
    changed = (
        old_due != due
        or clock.due_at != due_at
        or clock.provisional != status.provisional
        or clock.state != status.state.value
        or clock.remaining != status.remaining
        or clock.checked_on != checked_on
    )
    clock.due_date = due
    clock.due_at = due_at
    clock.provisional = status.provisional
    clock.provisional_years = sorted(status.provisional_years)
    clock.state = status.state.value
    clock.remaining = status.remaining
    clock.checked_on = checked_on
    if clock.pk is not None and changed:
        with transaction.atomic():
            clock.save(
                update_fields=[
                    "due_date",
                    "due_at",
                    "provisional",
                    "provisional_years",
                    "state",
                    "remaining",
                    "checked_on",
                ]
            )
            Task.objects.filter(clock=clock, status=TaskStatus.OPEN).update(
                due_date=due, due_at=due_at, provisional=status.provisional
            )
            if old_due is not None and old_due != due and record_move:
                record_event(
                    code="deadline.recomputed",
                    actor=acting_user,
                    obj=clock,
                    data={"old_due": old_due, "new_due": due, "provisional": status.provisional},
                )
    return status


def open_clock(obj: models.Model, name: str) -> StatutoryClock | None:
    return StatutoryClock.objects.filter(**ref_of(obj), name=name, stopped_on__isnull=True).first()


def _locked(clock: StatutoryClock) -> StatutoryClock:
    locked = StatutoryClock.objects.select_for_update().get(pk=clock.pk)
    if locked.stopped_on is not None:
        raise ValidationError({"clock": _("该期限已办结，不能再变更。")})
    return locked


def _clock_error(exc: ClockError) -> ValidationError:
    return ValidationError({"clock": str(exc)})


def start_clock(
    *,
    acting_user: Any,
    obj: models.Model,
    name: str,
    label: str,
    article: str,
    unit: Unit | str,
    length: int,
    start: date | None = None,
    near_due_workdays: int | None = None,
    max_extensions: int | None = None,
    max_extension_length: int | None = None,
    extension_permission: str = "",
    start_at: datetime | None = None,
    roll: bool = True,
) -> StatutoryClock:
    """Start a statutory period for ``obj``: the day ``start`` (the triggering event) is not counted.

    A period in hours counts from the moment ``start_at`` (default now); ``start`` is then its
    local date. ``roll=False``: a natural-day period is not moved off a rest day (custody).
    """
    unit = Unit(unit)
    if unit is Unit.HOURS:
        start_at = event_moment(start_at, field="start_at")
        start = timezone.localdate(start_at)
    else:
        start_at = None
        start = event_date(start, field="start")
    if length < 0:
        raise ValidationError({"length": _("期限长度不能为负数。")})
    with transaction.atomic():
        clock = StatutoryClock(
            **ref_of(obj),
            org=org_of(obj),
            name=name,
            label=label,
            article=article,
            unit=unit.value,
            length=length,
            start_date=start,
            start_at=start_at,
            rolls=roll,
            near_due_workdays=_near_due_default() if near_due_workdays is None else near_due_workdays,
            max_extensions=max_extensions,
            max_extension_length=max_extension_length,
            extension_permission=extension_permission,
            started_by=acting_user if getattr(acting_user, "pk", None) else None,
            checked_on=start,
        )
        refresh_clock(clock, source=None)
        if StatutoryClock.objects.filter(**ref_of(obj), name=name, stopped_on__isnull=True).exists():
            raise ValidationError({"clock": _("该事项的“%(label)s”已在计时。") % {"label": label}})
        clock.save()
        record_change(actor=acting_user, obj=clock, action=ChangeAction.CREATE, note=f"{label} {article}")
        record_event(
            code="deadline.started",
            actor=acting_user,
            obj=clock,
            data={
                "name": name,
                "start": start_at.isoformat() if start_at else start,
                "due": clock.due_display,
                "article": article,
            },
        )
    return clock


def pause_clock(
    *, acting_user: Any, clock: StatutoryClock, reason: str, on: date | None = None
) -> StatutoryClock:
    """Pause the clock (补正, 中止…): the days after ``on`` are not counted until it resumes."""
    on = event_date(on)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写暂停事由。")})
    with transaction.atomic():
        locked = _locked(clock)
        before = snapshot(locked)
        try:
            locked.to_clock().pause(on, reason=reason, approver=str(acting_user))
        except ClockError as exc:
            raise _clock_error(exc) from exc
        ClockPause.objects.create(clock=locked, paused_on=on, reason=reason[:255], approver=acting_user)
        refresh_clock(locked, record_move=False)
        record_change(actor=acting_user, obj=locked, action=ChangeAction.UPDATE, before=before, note=reason)
        record_event(code="deadline.paused", actor=acting_user, obj=locked, data={"on": on, "reason": reason})
    return locked


def resume_clock(*, acting_user: Any, clock: StatutoryClock, on: date | None = None) -> StatutoryClock:
    on = event_date(on)
    with transaction.atomic():
        locked = _locked(clock)
        before = snapshot(locked)
        pause = locked.pauses.filter(resumed_on__isnull=True).first()
        if pause is None:
            raise ValidationError({"clock": _("该期限未暂停。")})
        try:
            locked.to_clock().resume(on)
        except ClockError as exc:
            raise _clock_error(exc) from exc
        pause.resumed_on = on
        pause.resumed_by = acting_user if getattr(acting_user, "pk", None) else None
        pause.save(update_fields=["resumed_on", "resumed_by"])
        refresh_clock(locked, record_move=False)
        record_change(actor=acting_user, obj=locked, action=ChangeAction.UPDATE, before=before)
        record_event(
            code="deadline.resumed", actor=acting_user, obj=locked, data={"on": on, "due": locked.due_date}
        )
    return locked


def extend_clock(
    *, acting_user: Any, clock: StatutoryClock, length: int, reason: str, on: date | None = None
) -> StatutoryClock:
    """Extend the period by ``length`` units (延期). The acting user is the approver and must hold
    the clock's extension permission; the reason is required; statutory bounds are enforced."""
    on = event_date(on)
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = _("请填写延期理由。")
    if not isinstance(length, int) or isinstance(length, bool) or length <= 0:
        errors["length"] = _("延长天数应为正整数。")
    if errors:
        raise ValidationError(errors)
    permission = clock.extension_permission or DEFAULT_EXTENSION_PERMISSION
    if not acting_user.has_perm(permission):
        raise PermissionDenied(_("您无权批准延长该期限。"))
    with transaction.atomic():
        locked = _locked(clock)
        if locked.max_extension_length is not None and length > locked.max_extension_length:
            raise ValidationError(
                {
                    "length": _("依据%(article)s，延长不得超过%(n)s%(unit)s。")
                    % {
                        "article": locked.article,
                        "n": locked.max_extension_length,
                        "unit": Unit(locked.unit).label_zh,
                    }
                }
            )
        if locked.max_extensions is not None and locked.extensions.count() >= locked.max_extensions:
            raise ValidationError(
                {
                    "clock": _("依据%(article)s，该期限只能延长%(n)s次。")
                    % {"article": locked.article, "n": locked.max_extensions}
                }
            )
        before = snapshot(locked)
        ClockExtension.objects.create(
            clock=locked, length=length, reason=reason[:255], approver=acting_user, granted_on=on
        )
        refresh_clock(locked, record_move=False)
        record_change(actor=acting_user, obj=locked, action=ChangeAction.UPDATE, before=before, note=reason)
        record_event(
            code="deadline.extended",
            actor=acting_user,
            obj=locked,
            data={"length": length, "reason": reason, "due": locked.due_date, "on": on},
        )
    return locked


def stop_clock(
    *, acting_user: Any, clock: StatutoryClock, on: date | None = None, at: datetime | None = None
) -> StatutoryClock:
    """The step is done (办结): the clock stops; ``met`` tells whether it was on time. A clock in
    hours stops at the moment ``at`` (default now)."""
    if clock.in_hours:
        return _stop_hours_clock(acting_user=acting_user, clock=clock, at=at)
    on = event_date(on)
    with transaction.atomic():
        locked = _locked(clock)
        before = snapshot(locked)
        if on < locked.start_date:
            raise ValidationError({"on": _("办结日期不能早于起算日。")})
        open_pause = locked.pauses.filter(resumed_on__isnull=True).first()
        if open_pause is not None:  # a stop ends the pause
            if on < open_pause.paused_on:
                raise ValidationError({"on": _("办结日期不能早于暂停日期。")})
            open_pause.resumed_on = on
            open_pause.save(update_fields=["resumed_on"])
        locked.stopped_on = on
        locked.save(update_fields=["stopped_on"])
        status = refresh_clock(locked, as_of=max(on, today()), record_move=False)
        _record_stop(acting_user, locked, before, {"on": on, "due": status.due, "met": status.met})
    return locked


def _record_stop(
    acting_user: Any, clock: StatutoryClock, before: dict[str, Any], data: dict[str, Any]
) -> None:
    record_change(actor=acting_user, obj=clock, action=ChangeAction.UPDATE, before=before)
    record_event(code="deadline.stopped", actor=acting_user, obj=clock, data=data)


def _stop_hours_clock(*, acting_user: Any, clock: StatutoryClock, at: datetime | None) -> StatutoryClock:
    at = event_moment(at)
    with transaction.atomic():
        locked = _locked(clock)
        before = snapshot(locked)
        if locked.start_at is not None and at < locked.start_at:
            raise ValidationError({"at": _("办结时刻不能早于起算时刻。")})
        locked.stopped_at, locked.stopped_on = at, timezone.localdate(at)
        locked.save(update_fields=["stopped_at", "stopped_on"])
        status = refresh_clock(locked, at=max(at, now()), record_move=False)
        _record_stop(
            acting_user, locked, before, {"at": at.isoformat(), "due": locked.due_display, "met": status.met}
        )
    return locked


def clock_is_overdue(clock: StatutoryClock) -> bool:
    return clock.state == ClockState.OVERDUE.value

"""The one way to change a workflow object's state.

``transition(obj, name, *, acting_user, note="", on=None, **data)``, in one transaction:

1. lock the row (``select_for_update``) and re-read its state;
2. check scope (``ensure_in_scope``: outside the user's jurisdiction is "not found"), the
   transition's permission, its source states and its guard — a refusal raises before any write,
   so a denied transition changes nothing (state, history, clocks, tasks);
3. set the state, write the ``TransitionLog`` row, the change log and the ``<workflow>.<name>``
   domain event (citing the article);
4. apply the declared clock effects (start/pause/resume/stop/extend);
5. close the tasks opened in the state left and open the task declared for the state entered.
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
from sifa.platform.orgs.scoping import ensure_in_scope

from ..machine import ClockAction, ClockEffect, Transition, Workflow
from ..models import TransitionLog
from . import clocks as clock_services
from .common import event_date, event_moment, org_of, ref_of
from .inbox import close_tasks, open_task


class TransitionError(Exception):
    """Base of the refusals; ``reason`` is shown to the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TransitionNotAllowed(TransitionError, ValidationError):
    """The object is not in a state this transition starts from."""

    def __init__(self, reason: str) -> None:
        TransitionError.__init__(self, reason)
        ValidationError.__init__(self, {"state": reason})


class TransitionRefused(TransitionError, ValidationError):
    """The guard said no (e.g. materials incomplete)."""

    def __init__(self, reason: str) -> None:
        TransitionError.__init__(self, reason)
        ValidationError.__init__(self, {"state": reason})


class TransitionDenied(TransitionError, PermissionDenied):
    """The acting user lacks the transition's permission."""


def workflow_of(obj: models.Model) -> Workflow:
    workflow = getattr(type(obj), "workflow", None)
    if not isinstance(workflow, Workflow):
        raise TypeError(f"{obj._meta.label} does not declare a workflow")
    return workflow


def allowed_transitions(obj: models.Model, user: Any) -> list[tuple[Transition, str | None]]:
    """Transitions from the object's current state that the user holds the permission for, each
    with the guard's refusal reason (None: can be done now) — for showing buttons."""
    workflow = workflow_of(obj)
    result = []
    for t in workflow.available(obj.state):  # type: ignore[attr-defined]
        if user.has_perm(t.permission):
            result.append((t, t.guard(obj, user) if t.guard else None))
    return result


def transition(
    obj: models.Model,
    name: str,
    *,
    acting_user: Any,
    note: str = "",
    on: date | None = None,
    at: datetime | None = None,
    system: bool = False,
    **data: Any,
) -> TransitionLog:
    """Move ``obj`` along transition ``name`` of its workflow; see the module docstring.

    ``at`` is the moment the event happened, for clocks counted in hours (e.g. 社区矫正法 Art 47:
    the 48 hours run from the moment of the request); when given, ``on`` defaults to its local day.

    ``system=True`` (with ``acting_user=None``) is for transitions the platform makes by itself
    because a statute says so when a period runs out (``ClockSpec.on_expiry``): scope and
    permission are not checked (no user acts), the source state and guard still are.

    ``on`` is the day the event happened (default today, never in the future): clocks started by
    this transition count from the day after it. ``data`` is kept in the history; an ``extend``
    clock effect reads ``days`` from it and uses ``note`` as the reason.
    """
    workflow = workflow_of(obj)
    t = workflow.get(name)
    if at is not None:
        at = event_moment(at)
        on = on or timezone.localdate(at)
    on = event_date(on)
    model = type(obj)
    if system != (acting_user is None):
        raise TypeError("a system transition has no acting user; a user's transition is not a system one")
    with transaction.atomic():
        locked = model._default_manager.select_for_update().get(pk=obj.pk)
        if not system:
            ensure_in_scope(acting_user, locked, "view")
            if not acting_user.has_perm(t.permission):
                raise TransitionDenied(_("您无权执行“%(label)s”。") % {"label": t.label})
        from_state: str = locked.state  # type: ignore[attr-defined]
        if from_state not in t.sources:
            raise TransitionNotAllowed(
                _("当前状态为“%(state)s”，不能执行“%(label)s”。")
                % {"state": workflow.label(from_state), "label": t.label}
            )
        if t.guard is not None:
            reason = t.guard(locked, acting_user)
            if reason:
                raise TransitionRefused(str(reason))
        before = snapshot(locked)
        target = t.target_from(from_state)
        locked.state = target  # type: ignore[attr-defined]
        locked.save(update_fields=["state"])
        if not system:
            ensure_in_scope(acting_user, locked, "view")
        org = org_of(locked)
        log = TransitionLog.objects.create(
            **ref_of(locked),
            org=org,
            workflow=workflow.name,
            transition=t.name,
            label=t.label,
            from_state=from_state,
            to_state=target,
            actor=acting_user,
            article=t.article,
            note=note,
            data={k: _jsonable(v) for k, v in data.items()},
            effective_on=on,
        )
        record_change(
            actor=acting_user,
            obj=locked,
            action=ChangeAction.TRANSITION,
            before=before,
            note=f"{t.label} {t.article}".strip(),
        )
        record_event(
            code=f"{workflow.name}.{t.name}",
            actor=acting_user,
            obj=locked,
            data={
                "from": from_state,
                "to": target,
                "article": t.article,
                "on": on,
                **({"at": at.isoformat()} if at is not None else {}),
                "clock_effects": [str(e) for e in t.clock_effects],
                "system": system,
            },
        )
        for effect in t.clock_effects:
            _apply_clock_effect(
                workflow, effect, locked, acting_user=acting_user, on=on, at=at, note=note, data=data
            )
        if target in workflow.final:
            close_tasks(acting_user=acting_user, obj=locked)
        elif from_state != target:
            close_tasks(acting_user=acting_user, obj=locked, state=from_state)
            _open_state_task(workflow, locked, target, acting_user=acting_user)
    obj.state = locked.state  # type: ignore[attr-defined]
    return log


def start_workflow(
    obj: models.Model, *, acting_user: Any, on: date | None = None, note: str = ""
) -> TransitionLog:
    """Enter the initial state of a freshly created object: write the first history row, start the
    workflow's ``start_clocks`` (counted from ``on``, the day of receipt/filing) and open the initial
    state's task. Call it from the domain's create service, in its transaction."""
    workflow = workflow_of(obj)
    on = event_date(on)
    with transaction.atomic():
        locked = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
        if TransitionLog.objects.filter(**ref_of(locked)).exists():
            raise TransitionNotAllowed(_("该流程已开始。"))
        if locked.state != workflow.initial:  # type: ignore[attr-defined]
            raise TransitionNotAllowed(_("对象不在流程的初始状态。"))
        log = TransitionLog.objects.create(
            **ref_of(locked),
            org=org_of(locked),
            workflow=workflow.name,
            transition="start",
            label=_("开始"),
            from_state="",
            to_state=workflow.initial,
            actor=acting_user,
            article="",
            note=note,
            effective_on=on,
        )
        record_event(
            code=f"{workflow.name}.start",
            actor=acting_user,
            obj=locked,
            data={
                "to": workflow.initial,
                "on": on,
                "clock_effects": [f"start:{c}" for c in workflow.start_clocks],
            },
        )
        for name in workflow.start_clocks:
            _apply_clock_effect(
                workflow,
                ClockEffect.start(name),
                locked,
                acting_user=acting_user,
                on=on,
                at=None,
                note=note,
                data={},
            )
        _open_state_task(workflow, locked, workflow.initial, acting_user=acting_user)
    return log


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def _apply_clock_effect(
    workflow: Workflow,
    effect: ClockEffect,
    obj: models.Model,
    *,
    acting_user: Any,
    on: date,
    at: datetime | None,
    note: str,
    data: dict[str, Any],
) -> None:
    spec = workflow.clocks[effect.clock]
    if effect.action is ClockAction.START:
        clock_services.start_clock(
            acting_user=acting_user,
            obj=obj,
            name=spec.name,
            label=spec.label,
            article=spec.article,
            unit=spec.unit,
            length=spec.length,
            start=on,
            start_at=at,
            roll=spec.roll,
            max_extensions=spec.max_extensions,
            max_extension_length=spec.max_extension_length,
            extension_permission=spec.extension_permission,
        )
        return
    clock = clock_services.open_clock(obj, spec.name)
    if clock is None:
        if effect.if_running:
            return
        raise ValidationError({"clock": _("“%(label)s”未在计时。") % {"label": spec.label}})
    if effect.action is ClockAction.PAUSE:
        clock_services.pause_clock(acting_user=acting_user, clock=clock, reason=note or spec.label, on=on)
    elif effect.action is ClockAction.RESUME:
        clock_services.resume_clock(acting_user=acting_user, clock=clock, on=on)
    elif effect.action is ClockAction.STOP:
        clock_services.stop_clock(acting_user=acting_user, clock=clock, on=on, at=at)
    elif effect.action is ClockAction.EXTEND:
        days = data.get("days")
        if not isinstance(days, int) or isinstance(days, bool):
            raise ValidationError({"days": _("请填写延长天数。")})
        clock_services.extend_clock(acting_user=acting_user, clock=clock, length=days, reason=note, on=on)


def _open_state_task(workflow: Workflow, obj: models.Model, state: str, *, acting_user: Any) -> None:
    spec = workflow.tasks.get(state)
    if spec is None:
        return
    assignee = getattr(obj, spec.assignee_field, None) if spec.assignee_field else None
    clock = clock_services.open_clock(obj, spec.clock) if spec.clock else None
    open_task(
        acting_user=acting_user,
        title=f"{spec.title}：{obj}",
        obj=obj,
        org=getattr(obj, spec.org_field, None) if spec.org_field else None,
        assignee_user=assignee,
        assignee_role="" if assignee is not None else spec.role,
        clock=clock,
        opened_in_state=state,
    )

"""``{% load workflow_tags %}{% workflow_panel obj %}``: the state, statutory clocks, history and the
transition buttons of any workflow object, for a domain app's detail page.

``{% workflow_panel obj actions=False %}`` leaves the buttons out, for a page whose steps need more
than a note (dates, decisions) and post to the domain app's own forms instead.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from sifa.platform.calendar import ClockState, ClockStatus, Unit

from ..models import StatutoryClock
from ..selectors import clocks_of, history_of, live_status
from ..services import allowed_transitions

register = template.Library()


def _unit_label(unit: str) -> str:
    return {Unit.DAYS.value: _("日"), Unit.WORKDAYS.value: _("个工作日"), Unit.HOURS.value: _("小时")}[unit]


def state_label(state: ClockState) -> str:
    return {
        ClockState.RUNNING: _("计时中"),
        ClockState.PAUSED: _("已暂停"),
        ClockState.NEAR_DUE: _("临近到期"),
        ClockState.OVERDUE: _("已超期"),
        ClockState.STOPPED: _("已办结"),
    }[state]


def remaining_text(clock: StatutoryClock, status: ClockStatus) -> str:
    """“剩余 31 小时”, “已超期 2 日”, “已办结（按期）” — the time left as a person reads it."""
    if status.state is ClockState.STOPPED:
        return _("按期办结") if status.met else _("超期办结")
    unit = _unit_label(clock.unit)
    if status.remaining < 0:
        return _("已超期 %(n)s %(unit)s") % {"n": -status.remaining, "unit": unit}
    return _("剩余 %(n)s %(unit)s") % {"n": status.remaining, "unit": unit}


def clock_rows(obj: Any, user: Any) -> list[dict[str, Any]]:
    """Each clock of ``obj`` the user may see, with its live state and the time remaining."""
    rows = []
    for clock in clocks_of(obj, user):
        status = live_status(clock)
        rows.append(
            {
                "clock": clock,
                "state": status.state.value,
                "state_label": state_label(status.state),
                "remaining": remaining_text(clock, status),
            }
        )
    return rows


def _labelled(obj: Any, logs: Any) -> list[Any]:
    """History rows with the states' labels beside their codes (``from_label``, ``to_label``)."""
    rows = list(logs)
    for log in rows:
        log.from_label = obj.workflow.label(log.from_state) if log.from_state else ""
        log.to_label = obj.workflow.label(log.to_state)
    return rows


@register.inclusion_tag("workflow/_panel.html", takes_context=True)
def workflow_panel(context: dict[str, Any], obj: Any, actions: bool = True) -> dict[str, Any]:
    user = context["request"].user
    return {
        "obj": obj,
        "state_label": obj.get_state_display(),
        "clocks": clock_rows(obj, user),
        "history": _labelled(obj, history_of(obj, user)),
        "actions": allowed_transitions(obj, user) if actions else [],
        "model_label": obj._meta.label_lower,
        "csrf_token": context.get("csrf_token"),
        "request": context["request"],
    }

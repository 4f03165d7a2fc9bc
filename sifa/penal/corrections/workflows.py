"""The supervisee's lifecycle as a declared state machine (社区矫正法 Arts 20–22, 30, 44–45).

Declared with the platform's ``Workflow``/``Transition`` and executed by the platform's
``workflow.services.transition`` (lock, scope, permission, source state, guard, history, audit,
clock effects, inbox tasks — one transaction); ``services.transition_supervisee`` wraps it to save
the step's own fields first and to add the corrections timeline event.

No model imports here: ``Supervisee`` binds this workflow when its class is built. The state codes
equal ``models.SuperviseeStatus`` (a test checks it).
"""

from __future__ import annotations

from typing import Any

from sifa.platform.workflow.machine import ClockEffect, ClockSpec, TaskSpec, Transition, Workflow

NOTIFIED, REPORTED, UNDER_SUPERVISION, MISSING, RELEASED, TERMINATED = (
    "notified",
    "reported",
    "under_supervision",
    "missing",
    "released",
    "terminated",
)
STATES = {
    NOTIFIED: "待报到",
    REPORTED: "已报到",
    UNDER_SUPERVISION: "在矫",
    MISSING: "脱管/未报到",
    RELEASED: "解除矫正",
    TERMINATED: "终止矫正",
}


def _period_over(supervisee: Any, user: Any) -> str | None:
    from django.utils import timezone

    if supervisee.period_end > timezone.localdate():
        return f"矫正期限尚未届满（{supervisee.period_end}）"
    return None


def _identity_checked(supervisee: Any, user: Any) -> str | None:
    return None if supervisee.identity_verified else "尚未核实身份"


def _never_registered(supervisee: Any, user: Any) -> str | None:
    # Someone who went missing after registration comes back through "found", not a new report.
    return None if supervisee.registered_on is None else "已登记在矫，请使用“查找到案”"


SUPERVISEE = Workflow(
    name="corrections.supervisee",
    states=STATES,
    initial=NOTIFIED,
    final=[RELEASED, TERMINATED],
    clocks=[
        # Arts 20–22: report within 10 natural days of the judgment taking effect. The length and
        # unit actually used come from rules (report_days/report_unit): the intake service starts
        # this clock itself; the transitions here stop it.
        ClockSpec("report", "报到期限", "《社区矫正法》第二十一条", "days", 10),
    ],
    tasks={
        NOTIFIED: TaskSpec("等待报到", role="office_staff", clock="report"),
        REPORTED: TaskSpec("核实身份、登记、建档、宣告", role="office_staff"),
        MISSING: TaskSpec("组织查找（社区矫正法第三十条）", role="office_staff"),
    },
    transitions=[
        Transition(
            "report",
            {NOTIFIED, MISSING},
            REPORTED,
            permission="corrections.report_supervisee",
            guard=_never_registered,
            article="《社区矫正法》第二十一条",
            label="报到",
            clock_effect=ClockEffect.stop("report"),
        ),
        Transition(
            "register",
            REPORTED,
            UNDER_SUPERVISION,
            permission="corrections.report_supervisee",
            guard=_identity_checked,
            article="《社区矫正法》第二十二条",
            label="登记、建档、宣告",
        ),
        Transition(
            "mark_missing",
            {NOTIFIED, REPORTED, UNDER_SUPERVISION},
            MISSING,
            permission="corrections.report_supervisee",
            article="《社区矫正法》第三十条",
            label="未报到/脱管，组织查找",
        ),
        Transition(
            "found",
            MISSING,
            UNDER_SUPERVISION,
            permission="corrections.report_supervisee",
            guard=_identity_checked,
            article="《社区矫正法》第三十条",
            label="查找到案，恢复监管",
        ),
        Transition(
            "release",
            UNDER_SUPERVISION,
            RELEASED,
            permission="corrections.release_supervisee",
            guard=_period_over,
            article="《社区矫正法》第四十四条",
            label="解除矫正",
        ),
        Transition(
            "terminate",
            {NOTIFIED, REPORTED, UNDER_SUPERVISION, MISSING},
            TERMINATED,
            permission="corrections.release_supervisee",
            article="《社区矫正法》第四十五条",
            label="终止矫正",
        ),
    ],
)

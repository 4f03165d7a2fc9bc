"""The supervisee's lifecycle (社区矫正法 Arts 20–22, 30, 44–45) and the revocation procedure that
follows a decided revocation proposal (Arts 45–49), as declared state machines.

Declared with the platform's ``Workflow``/``Transition`` and executed by the platform's
``workflow.services.transition`` (lock, scope, permission, source state, guard, history, audit,
clock effects, inbox tasks — one transaction); ``services.transition_supervisee`` wraps it to save
the step's own fields first and to add the corrections timeline event.

No model imports here: ``Supervisee`` binds this workflow when its class is built. The state codes
equal ``models.SuperviseeStatus`` (a test checks it).
"""

from __future__ import annotations

from typing import Any

from sifa.platform.accounts.roles import Role
from sifa.platform.workflow.machine import (
    SAME_STATE,
    ClockEffect,
    ClockSpec,
    TaskSpec,
    Transition,
    Workflow,
)

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


# --- revocation: 提请撤销缓刑、假释 / 暂予监外执行收监执行 (Arts 45–49) ---------------------------------

DRAFTED, SENT, RECEIVED, REVOKED, NOT_REVOKED, HANDED_OVER = (
    "drafted",
    "sent",
    "received",
    "revoked",
    "not_revoked",
    "handed_over",
)
REVOCATION_STATES = {
    DRAFTED: "待提请",
    SENT: "已提请",
    RECEIVED: "待裁定",
    REVOKED: "已撤销，待交付执行",
    NOT_REVOKED: "不予撤销",
    HANDED_OVER: "已交付执行",
}
ART_45 = "《社区矫正法》第四十五条"
ART_46 = "《社区矫正法》第四十六条"
ART_47 = "《社区矫正法》第四十七条"
ART_48 = "《社区矫正法》第四十八条"
ART_49 = "《社区矫正法》第四十九条"
HANDLE_REVOCATION = "corrections.handle_revocationcase"


def _sent_with_copy(case: Any, user: Any) -> str | None:
    # Art 46: the proposal goes to the court (deciding organ) and, at the same time, to the
    # procuratorate. The service records both dates before the transition; this guard refuses the
    # step for anyone who tries it without them (e.g. through the generic transition endpoint).
    if case.sent_on is None:
        return "尚未登记送达日期"
    if case.procuratorate_copy_on is None or not case.procuratorate:
        return "建议书须同时抄送人民检察院（第四十六条）"
    if case.procuratorate_copy_on != case.sent_on:
        return "抄送人民检察院的日期应与送达建议书的日期相同（同时抄送）"
    return None


def _receipt_recorded(case: Any, user: Any) -> str | None:
    return None if case.received_on is not None else "尚未登记收到建议书的日期"


def _arrest_requested(case: Any, user: Any) -> str | None:
    if case.arrest_requested_at is None:
        return "尚未登记提请逮捕的时间"
    return "已作出是否逮捕的决定" if case.arrest_decision else None


def _arrest_decided(decision: str) -> Any:
    def guard(case: Any, user: Any) -> str | None:
        if case.arrest_requested_at is None or case.arrest_decided_at is None:
            return "尚未登记是否逮捕的决定"
        return None if case.arrest_decision == decision else "与登记的逮捕决定不一致"

    return guard


def _ruled(ruling: str) -> Any:
    def guard(case: Any, user: Any) -> str | None:
        if case.ruling_on is None or not case.ruling_number:
            return "尚未登记裁定（决定）"
        return None if case.ruling == ruling else "与登记的裁定（决定）结果不一致"

    return guard


def _handed_over(case: Any, user: Any) -> str | None:
    return None if case.handed_over_on is not None else "尚未登记交付执行日期"


# A ruling ends the ruling period, and with it any pending arrest decision and any custody (Art 48:
# released at once if not revoked, taken to prison if revoked) — those only if they run.
_RULING_ENDS_CLOCKS = [
    ClockEffect.stop("ruling"),
    ClockEffect.stop("arrest_decision", if_running=True),
    ClockEffect.stop("custody", if_running=True),
]

# Tasks go to the county agency (县级社区矫正机构) that makes the proposal, not the township office
# that supervises the person.
_AGENCY_STAFF = {"role": Role.BUREAU_STAFF, "org_field": "agency"}

REVOCATION = Workflow(
    name="corrections.revocation",
    states=REVOCATION_STATES,
    initial=DRAFTED,
    final=[NOT_REVOKED, HANDED_OVER],
    clocks=[
        # Art 48 (收监执行 decisions: Art 49): ruling within 30 days of receiving the proposal.
        ClockSpec("ruling", "裁定（决定）期限", ART_48, "days", 30),
        # Art 47: the court decides within 48 hours whether to arrest.
        ClockSpec("arrest_decision", "逮捕决定期限", ART_47, "hours", 48),
        # Art 47: custody after arrest at most 30 days. 刑事诉讼法 Art 105: a period of custody is not
        # extended because it ends on a holiday — the clock does not roll.
        ClockSpec("custody", "逮捕后羁押期限", ART_47, "days", 30, roll=False),
    ],
    tasks={
        DRAFTED: TaskSpec("送达建议书并同时抄送人民检察院", **_AGENCY_STAFF),
        SENT: TaskSpec("登记人民法院（决定机关）收到建议书的日期", **_AGENCY_STAFF),
        RECEIVED: TaskSpec("跟进裁定（决定）", clock="ruling", **_AGENCY_STAFF),
        REVOKED: TaskSpec("跟进送交监狱、看守所执行", **_AGENCY_STAFF),
    },
    transitions=[
        Transition(
            "send",
            DRAFTED,
            SENT,
            permission=HANDLE_REVOCATION,
            guard=_sent_with_copy,
            article=ART_46,
            label="送达建议书（同时抄送人民检察院）",
        ),
        Transition(
            "receive",
            SENT,
            RECEIVED,
            permission=HANDLE_REVOCATION,
            guard=_receipt_recorded,
            article=ART_48,
            clock_effect=ClockEffect.start("ruling"),
            label="人民法院（决定机关）收到建议书",
        ),
        Transition(
            "request_arrest",
            {SENT, RECEIVED},
            SAME_STATE,
            permission=HANDLE_REVOCATION,
            guard=_arrest_requested,
            article=ART_47,
            clock_effect=ClockEffect.start("arrest_decision"),
            label="提请逮捕",
        ),
        Transition(
            "arrest_approved",
            {SENT, RECEIVED},
            SAME_STATE,
            permission=HANDLE_REVOCATION,
            guard=_arrest_decided("approved"),
            article=ART_47,
            clock_effect=[ClockEffect.stop("arrest_decision"), ClockEffect.start("custody")],
            label="决定逮捕",
        ),
        Transition(
            "arrest_refused",
            {SENT, RECEIVED},
            SAME_STATE,
            permission=HANDLE_REVOCATION,
            guard=_arrest_decided("refused"),
            article=ART_47,
            clock_effect=ClockEffect.stop("arrest_decision"),
            label="不予逮捕",
        ),
        Transition(
            "rule_revoked",
            RECEIVED,
            REVOKED,
            permission=HANDLE_REVOCATION,
            guard=_ruled("revoked"),
            article=ART_48,
            clock_effect=_RULING_ENDS_CLOCKS,
            label="裁定撤销（决定收监执行）",
        ),
        Transition(
            "rule_not_revoked",
            RECEIVED,
            NOT_REVOKED,
            permission=HANDLE_REVOCATION,
            guard=_ruled("not_revoked"),
            article=ART_48,
            clock_effect=_RULING_ENDS_CLOCKS,
            label="裁定不予撤销（不予收监），继续社区矫正",
        ),
        Transition(
            "hand_over",
            REVOKED,
            HANDED_OVER,
            permission=HANDLE_REVOCATION,
            guard=_handed_over,
            article=ART_49,
            label="送交监狱、看守所执行",
        ),
    ],
)

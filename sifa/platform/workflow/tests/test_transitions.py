"""The declared procedure driven through ``transition``: real calendar cases around National Day
2025, guards, permissions and scope — and denied transitions change nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from sifa.platform.accounts.roles import Role
from sifa.platform.audit.models import ChangeLog, DomainEvent
from sifa.platform.calendar import ClockState
from sifa.platform.testing.tree import make_user
from sifa.platform.workflow.machine import (
    ClockEffect,
    ClockSpec,
    Transition,
    Workflow,
    WorkflowDefinitionError,
)
from sifa.platform.workflow.models import (
    ClockExtension,
    StatutoryClock,
    Task,
    TaskStatus,
    TransitionLog,
)
from sifa.platform.workflow.services import (
    TransitionDenied,
    TransitionNotAllowed,
    TransitionRefused,
    allowed_transitions,
    open_clock,
    start_workflow,
    transition,
)

from .example import Case

pytestmark = pytest.mark.django_db

RECEIVED = date(2025, 9, 28)  # a Sunday that the 2025 notice made a working day (调休上班)


def _state_of_everything(case: Case) -> dict[str, Any]:
    """Everything a transition may write, to prove a refused one wrote nothing."""
    case.refresh_from_db()
    return {
        "state": case.state,
        "logs": TransitionLog.objects.count(),
        "changes": ChangeLog.objects.count(),
        "events": DomainEvent.objects.count(),
        "clocks": list(
            StatutoryClock.objects.order_by("pk").values_list("pk", "due_date", "stopped_on", "state")
        ),
        "extensions": ClockExtension.objects.count(),
        "tasks": list(Task.objects.order_by("pk").values_list("pk", "status")),
    }


@pytest.fixture
def received(make_case: Any, users: dict[str, Any]) -> Case:
    case = make_case(handler=users["donghu_staff"])
    start_workflow(case, acting_user=users["donghu_staff"], on=RECEIVED)
    return case


def test_acceptance_review_is_5_working_days_across_national_day_2025_art_30_art_88(
    received: Case, users: dict[str, Any]
) -> None:
    """行政复议法 Art 30 + Art 88: received Sun 2025-09-28 (调休 working day, not counted) → 9/29,
    9/30, then 10/1–10/8 off, 10/9, 10/10 and the 调休 Saturday 10/11 → due 2025-10-11."""
    clock = open_clock(received, "acceptance")
    assert clock is not None
    assert clock.due_date == date(2025, 10, 11)
    assert clock.article == "行政复议法 第三十条"
    assert not clock.provisional
    task = Task.objects.get(object_id=str(received.pk), status=TaskStatus.OPEN)
    assert task.due_date == date(2025, 10, 11)
    assert task.assignee_role == "bureau_staff" and task.org_id == received.org.pk
    (log,) = TransitionLog.objects.filter(object_id=str(received.pk))
    assert (log.from_state, log.to_state) == ("", "received")


def test_correction_notice_pauses_the_acceptance_clock_art_31(received: Case, users: dict[str, Any]) -> None:
    """Art 31: 补正 notice on 9/30, materials back on 10/10 → days 10/1–10/10 are not counted:
    9/29, 9/30, 10/11 (调休 Saturday), 10/13, 10/14 → due 2025-10-14."""
    staff = users["donghu_staff"]
    transition(received, "request_correction", acting_user=staff, on=date(2025, 9, 30), note="缺少身份证明")
    assert received.state == "correcting"
    clock = open_clock(received, "acceptance")
    assert clock is not None and clock.state == ClockState.PAUSED.value
    assert clock.pauses.get().reason == "缺少身份证明"
    assert Task.objects.get(object_id=str(received.pk), status=TaskStatus.OPEN).title.startswith(
        "等待补正材料"
    )

    transition(received, "receive_correction", acting_user=staff, on=date(2025, 10, 10))
    clock.refresh_from_db()
    assert clock.due_date == date(2025, 10, 14)
    history = list(
        TransitionLog.objects.filter(object_id=str(received.pk)).values_list("transition", "article")
    )
    assert history == [
        ("start", ""),
        ("request_correction", "行政复议法 第三十一条"),
        ("receive_correction", "行政复议法 第三十一条"),
    ]
    events = set(DomainEvent.objects.values_list("code", flat=True))
    assert {"reconsideration_example.request_correction", "deadline.paused", "deadline.resumed"} <= events


def test_accept_stops_acceptance_and_starts_the_60_day_decision_period_art_62(
    received: Case, users: dict[str, Any]
) -> None:
    """Art 30 + Art 62: accepted Thu 2025-10-09 (acceptance due 10/11: met) → the decision period
    runs 60 days from the day after: Mon 2025-12-08, a working day."""
    staff = users["donghu_staff"]
    transition(received, "accept", acting_user=staff, on=date(2025, 10, 9))
    acceptance = StatutoryClock.objects.get(object_id=str(received.pk), name="acceptance")
    assert acceptance.stopped_on == date(2025, 10, 9)
    assert acceptance.to_clock().status(date(2025, 10, 20)).met is True
    decision = open_clock(received, "decision")
    assert decision is not None and decision.start_date == date(2025, 10, 9)
    # 10/9 + 60 = Mon 2025-12-08, a working day: no roll.
    assert decision.due_date == date(2025, 12, 8)
    # The decision task goes to the case handler (who must act next), not to the whole role.
    task = Task.objects.get(object_id=str(received.pk), status=TaskStatus.OPEN)
    assert task.assignee_user == users["donghu_staff"] and task.due_date == date(2025, 12, 8)
    assert Task.objects.filter(object_id=str(received.pk), status=TaskStatus.DONE).count() == 1


def test_natural_day_period_ending_on_saturday_rolls_to_monday_art_62_cpl_85(
    received: Case, users: dict[str, Any]
) -> None:
    """CPL Art 85 via 复议法 Art 88: accepted 2025-10-14 → day 60 is Sat 2025-12-13 → due Mon 12-15."""
    transition(received, "accept", acting_user=users["donghu_staff"], on=date(2025, 10, 14))
    decision = open_clock(received, "decision")
    assert decision is not None and decision.due_date == date(2025, 12, 15)


def test_extension_of_at_most_30_days_once_approved_by_the_head_art_62(
    received: Case, users: dict[str, Any]
) -> None:
    """Art 62: one extension of ≤30 days, approved by the 机构负责人, with a reason.
    Accepted 2025-10-14: 60 days → 12-15 (rolled); +30 → 90 days → Mon 2026-01-12."""
    staff, head = users["donghu_staff"], users["donghu_head"]
    transition(received, "accept", acting_user=staff, on=date(2025, 10, 14))
    before = _state_of_everything(received)

    with pytest.raises(TransitionDenied):  # staff are not the 机构负责人
        transition(received, "extend", acting_user=staff, note="案情复杂", days=30)
    with pytest.raises(ValidationError) as too_long:
        transition(received, "extend", acting_user=head, note="案情复杂", days=31)
    assert "length" in too_long.value.message_dict
    with pytest.raises(ValidationError) as no_reason:
        transition(received, "extend", acting_user=head, note="", days=30)
    assert "reason" in no_reason.value.message_dict
    assert _state_of_everything(received) == before

    transition(
        received, "extend", acting_user=head, note="案情复杂，需要现场调查", days=30, on=date(2025, 12, 1)
    )
    decision = open_clock(received, "decision")
    assert decision is not None and decision.due_date == date(2026, 1, 12)
    extension = decision.extensions.get()
    assert (extension.approver, extension.length, extension.reason) == (head, 30, "案情复杂，需要现场调查")
    # the decision task follows the clock
    assert Task.objects.get(object_id=str(received.pk), status=TaskStatus.OPEN).due_date == date(2026, 1, 12)

    with pytest.raises(ValidationError) as twice:
        transition(received, "extend", acting_user=head, note="仍需调查", days=10)
    assert "clock" in twice.value.message_dict
    assert decision.extensions.count() == 1


def test_guard_refuses_acceptance_with_incomplete_materials_and_changes_nothing(
    make_case: Any, users: dict[str, Any]
) -> None:
    """Art 31: incomplete materials are corrected first; 受理 is refused with the reason."""
    case = make_case(materials_complete=False)
    start_workflow(case, acting_user=users["donghu_staff"], on=RECEIVED)
    before = _state_of_everything(case)
    with pytest.raises(TransitionRefused) as refused:
        transition(case, "accept", acting_user=users["donghu_staff"], on=date(2025, 10, 9))
    assert "补正" in refused.value.reason
    assert _state_of_everything(case) == before
    options = {t.name: reason for t, reason in allowed_transitions(case, users["donghu_staff"])}
    assert options["accept"] and options["request_correction"] is None
    assert "decide" not in options  # staff lack the permission


def test_transition_from_a_wrong_state_is_refused_and_changes_nothing(
    received: Case, users: dict[str, Any]
) -> None:
    before = _state_of_everything(received)
    with pytest.raises(TransitionNotAllowed):
        transition(received, "decide", acting_user=users["donghu_head"])
    assert _state_of_everything(received) == before


def test_other_jurisdiction_gets_not_found_and_changes_nothing(
    received: Case, users: dict[str, Any], tree: Any
) -> None:
    """分权分域: staff of another county, or of an office below the owning bureau, cannot act on (or
    learn of) the case; a user who sees it but lacks the permission is refused."""
    before = _state_of_everything(received)
    for outsider in (users["xunyang_staff"], users["xunyang_head"], users["donghu_office_staff"]):
        with pytest.raises(Http404):
            transition(received, "accept", acting_user=outsider, on=date(2025, 10, 9))
    clerk = make_user("dh_clerk", Role.OFFICE_STAFF, tree.donghu)  # may view, may not accept
    with pytest.raises(TransitionDenied):
        transition(received, "accept", acting_user=clerk, on=date(2025, 10, 9))
    assert _state_of_everything(received) == before


def test_final_state_closes_every_open_task(received: Case, users: dict[str, Any]) -> None:
    transition(received, "refuse", acting_user=users["donghu_staff"], on=date(2025, 10, 9))
    assert not Task.objects.filter(object_id=str(received.pk), status=TaskStatus.OPEN).exists()
    acceptance = StatutoryClock.objects.get(object_id=str(received.pk), name="acceptance")
    assert acceptance.stopped_on == date(2025, 10, 9) and acceptance.state == ClockState.STOPPED.value


def test_future_event_dates_are_refused(received: Case, users: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        transition(received, "accept", acting_user=users["donghu_staff"], on=date(2999, 1, 1))
    received.refresh_from_db()
    assert received.state == "received"


def test_a_workflow_that_names_an_undeclared_state_or_clock_fails_at_import() -> None:
    with pytest.raises(WorkflowDefinitionError) as bad:
        Workflow(
            "bad",
            {"a": "A"},
            [Transition("go", "a", "b", permission="x.y", clock_effect=ClockEffect.start("nope"))],
            clocks=[ClockSpec("c", "C", "", "days", 1)],
        )
    assert "unknown state 'b'" in str(bad.value) and "unknown clock 'nope'" in str(bad.value)


def test_state_field_takes_the_workflow_choices_and_initial_state(make_case: Any) -> None:
    case = make_case()
    assert case.state == "received"
    assert case.get_state_display() == "已收件"
    assert dict(Case._meta.get_field("state").choices or [])["decided"] == "已决定"

"""The periodic warning job: near-due and overdue warnings, raised once (idempotent)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from sifa.platform.audit.models import DomainEvent
from sifa.platform.workflow.models import (
    ClockWarning,
    Notification,
    StatutoryClock,
    Task,
    TransitionLog,
    WarningLevel,
)
from sifa.platform.workflow.scan import scan_deadlines
from sifa.platform.workflow.services import extend_clock, open_task, start_clock, start_workflow
from sifa.platform.workflow.tasks import scan_deadlines as scan_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(make_case: Any, users: dict[str, Any]) -> Any:
    """A case whose 补正 notice must go out within 5 working days of receipt (行政复议法 Art 31,
    Art 88): received 2025-09-28 → due 2025-10-11, with the task in the bureau staff's inbox."""
    case = make_case()
    clock = start_clock(
        acting_user=users["donghu_staff"],
        obj=case,
        name="correction_notice",
        label="补正通知期限",
        article="行政复议法 第三十一条",
        unit="workdays",
        length=5,
        start=date(2025, 9, 28),
    )
    open_task(acting_user=None, title="审查申请材料", obj=case, assignee_role="bureau_staff", clock=clock)
    return case


@pytest.fixture
def started(make_case: Any, users: dict[str, Any]) -> Any:
    case = make_case()
    start_workflow(case, acting_user=users["donghu_staff"], on=date(2025, 9, 28))  # due 2025-10-11
    return case


def _warnings(code: str) -> int:
    return DomainEvent.objects.filter(code=code).count()


def test_near_due_then_overdue_each_raised_once_art_31(case: Any, users: dict[str, Any]) -> None:
    """行政复议法 Art 31 (5 working days, due 2025-10-11): on 10/9 two working days remain (10/10 and
    the 调休 Saturday 10/11) → near-due; on Mon 10/13 it is overdue. Re-running changes nothing."""
    task = Task.objects.get(object_id=str(case.pk))
    assert scan_deadlines(as_of=date(2025, 9, 30)).warnings_raised == 0
    task.refresh_from_db()
    assert task.warning == WarningLevel.NONE

    first = scan_deadlines(as_of=date(2025, 10, 9))
    assert (first.near_due, first.warnings_raised) == (1, 1)
    task.refresh_from_db()
    assert task.warning == WarningLevel.NEAR_DUE
    # the role task notifies every bureau_staff user of 东湖区司法局 (one in the fixture), nobody else
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["dh_staff"]

    again = scan_deadlines(as_of=date(2025, 10, 9))
    assert (again.warnings_raised, again.notifications, again.tasks_updated) == (0, 0, 0)
    assert _warnings("deadline.near_due") == 1

    overdue = scan_deadlines(as_of=date(2025, 10, 13))
    assert (overdue.overdue, overdue.warnings_raised) == (1, 1)
    task.refresh_from_db()
    assert task.warning == WarningLevel.OVERDUE
    clock = StatutoryClock.objects.get(object_id=str(case.pk))
    assert (clock.state, clock.remaining) == ("overdue", -1)
    scan_deadlines(as_of=date(2025, 10, 14))
    assert _warnings("deadline.overdue") == 1
    assert Notification.objects.count() == 2
    assert ClockWarning.objects.count() == 2


def test_the_celery_task_runs_the_same_scan(case: Any) -> None:
    result = scan_task.run(as_of="2025-10-13")
    assert result["overdue"] == 1 and result["warnings_raised"] == 1
    assert scan_task.run(as_of="2025-10-13")["warnings_raised"] == 0


def test_an_extension_moves_the_due_date_and_a_new_warning_may_follow(
    case: Any, users: dict[str, Any]
) -> None:
    """A warning is once per clock, level and due date: after an extension (here on the acceptance
    clock, only to exercise the rule) the new due date gets its own warning."""
    scan_deadlines(as_of=date(2025, 10, 13))
    clock = StatutoryClock.objects.get(object_id=str(case.pk))
    extend_clock(
        acting_user=users["donghu_head"], clock=clock, length=3, reason="测试", on=date(2025, 10, 13)
    )
    clock.refresh_from_db()
    assert clock.due_date == date(2025, 10, 15)  # 8th working day after 9/28
    assert scan_deadlines(as_of=date(2025, 10, 14)).warnings_raised == 1  # near-due for 10/15
    assert scan_deadlines(as_of=date(2025, 10, 14)).warnings_raised == 0


def test_paused_clock_raises_no_warning(started: Any, users: dict[str, Any]) -> None:
    from sifa.platform.workflow.services import transition

    transition(started, "request_correction", acting_user=users["donghu_staff"], on=date(2025, 9, 30))
    result = scan_deadlines(as_of=date(2025, 10, 20))
    assert (result.near_due, result.overdue, result.warnings_raised) == (0, 0, 0)


def test_application_not_refused_in_time_is_deemed_accepted_art_30(started: Any) -> None:
    """行政复议法 Art 30: when the 5-working-day review ends (2025-10-11) without a refusal, the
    application counts as accepted from that day; the scan moves it by itself (no acting user) and
    the 60-day decision period (Art 62) runs from 10/12: due Wed 2025-12-10."""
    result = scan_deadlines(as_of=date(2025, 10, 13))
    assert (result.expired, result.warnings_raised) == (1, 0)
    started.refresh_from_db()
    assert started.state == "accepted"
    log = TransitionLog.objects.get(object_id=str(started.pk), transition="deem_accepted")
    assert log.actor is None and log.effective_on == date(2025, 10, 11)
    assert log.article == "行政复议法 第三十条第三款"
    acceptance = StatutoryClock.objects.get(object_id=str(started.pk), name="acceptance")
    assert acceptance.stopped_on == date(2025, 10, 11)
    decision = StatutoryClock.objects.get(object_id=str(started.pk), name="decision")
    assert decision.due_date == date(2025, 12, 10)
    assert scan_deadlines(as_of=date(2025, 10, 13)).expired == 0  # idempotent

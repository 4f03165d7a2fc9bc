"""Clocks counted in hours (社区矫正法 Art 47: the court decides on arrest within 48 hours) and
natural-day clocks that do not roll (custody, 刑事诉讼法 Art 105): persisted, scanned, in the inbox."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sifa.platform.workflow.machine import (
    SAME_STATE,
    ClockEffect,
    ClockSpec,
    Transition,
    Workflow,
    WorkflowDefinitionError,
)
from sifa.platform.workflow.models import ClockWarning, Notification, StatutoryClock, Task, WarningLevel
from sifa.platform.workflow.scan import scan_deadlines
from sifa.platform.workflow.selectors import live_status
from sifa.platform.workflow.services import open_task, pause_clock, start_clock, stop_clock

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
REQUESTED = datetime(2025, 11, 7, 22, 30, tzinfo=SHANGHAI)  # a Friday night


def _arrest_clock(case: Any, user: Any, start_at: datetime = REQUESTED) -> StatutoryClock:
    return start_clock(
        acting_user=user,
        obj=case,
        name="arrest_decision",
        label="逮捕决定期限",
        article="《社区矫正法》第四十七条",
        unit="hours",
        length=48,
        start_at=start_at,
    )


def test_art47_48_hour_clock_across_midnight_and_a_weekend_is_stored_with_its_moment(
    make_case: Any, users: dict[str, Any]
) -> None:
    """Requested Fri 2025-11-07 22:30 → due Sun 2025-11-09 22:30: the due day is a Sunday and is not
    rolled to Monday; the task carries the due moment, shown with its time."""
    case = make_case()
    clock = _arrest_clock(case, users["donghu_staff"])
    assert timezone.localtime(clock.due_at) == datetime(2025, 11, 9, 22, 30, tzinfo=SHANGHAI)
    assert (clock.start_date, clock.due_date, clock.provisional) == (
        date(2025, 11, 7),
        date(2025, 11, 9),
        False,
    )
    assert clock.due_display == "2025-11-09 22:30" and clock.start_display == "2025-11-07 22:30"
    task = open_task(
        acting_user=None, title="跟进逮捕决定", obj=case, assignee_role="bureau_staff", clock=clock
    )
    assert task.due_at == clock.due_at and task.due_display == "2025-11-09 22:30"
    client = Client()
    client.force_login(users["donghu_staff"])
    assert "2025-11-09 22:30" in client.get(reverse("workflow:inbox")).content.decode()


def test_art47_scan_warns_near_due_then_overdue_once_each_and_reaches_the_inbox(
    make_case: Any, users: dict[str, Any]
) -> None:
    case = make_case()
    clock = _arrest_clock(case, users["donghu_staff"])
    task = open_task(
        acting_user=None, title="跟进逮捕决定", obj=case, assignee_role="bureau_staff", clock=clock
    )
    # Sunday 10:00: 12 h 30 min left — still running (near due within 12 h).
    scan_deadlines(at=datetime(2025, 11, 9, 10, 0, tzinfo=SHANGHAI))
    clock.refresh_from_db()
    assert (clock.state, clock.remaining) == ("running", 12)
    # Sunday 12:00: 10 h 30 min left — near due, warned once.
    first = scan_deadlines(at=datetime(2025, 11, 9, 12, 0, tzinfo=SHANGHAI))
    assert first.warnings_raised == 1 and first.near_due == 1
    assert scan_deadlines(at=datetime(2025, 11, 9, 12, 15, tzinfo=SHANGHAI)).warnings_raised == 0
    # Sunday 22:31: a minute late — overdue, warned once; the task is overdue in the inbox.
    late = scan_deadlines(at=datetime(2025, 11, 9, 22, 31, tzinfo=SHANGHAI))
    assert late.warnings_raised == 1 and late.overdue == 1
    assert scan_deadlines(at=datetime(2025, 11, 9, 22, 46, tzinfo=SHANGHAI)).warnings_raised == 0
    clock.refresh_from_db()
    task.refresh_from_db()
    assert (clock.state, clock.remaining, task.warning) == ("overdue", -1, WarningLevel.OVERDUE)
    assert ClockWarning.objects.filter(clock=clock).count() == 2
    note = Notification.objects.filter(user=users["donghu_staff"]).order_by("-id").first()
    assert note is not None and "已超期" in note.text and "2025-11-09 22:30" in note.text


def test_scan_for_a_past_day_evaluates_hour_clocks_at_the_end_of_that_day(
    make_case: Any, users: dict[str, Any]
) -> None:
    clock = _arrest_clock(make_case(), users["donghu_staff"])
    scan_deadlines(as_of=date(2025, 11, 9))  # 23:59:59 on the due day: already overdue
    clock.refresh_from_db()
    assert clock.state == "overdue"


def test_hour_clock_stops_at_a_moment_and_cannot_be_paused(make_case: Any, users: dict[str, Any]) -> None:
    clock = _arrest_clock(make_case(), users["donghu_staff"])
    with pytest.raises(ValidationError) as err:
        pause_clock(acting_user=users["donghu_staff"], clock=clock, reason="中止")
    assert "clock" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        stop_clock(acting_user=users["donghu_staff"], clock=clock, at=REQUESTED - timedelta(hours=1))
    assert "at" in err.value.message_dict
    stopped = stop_clock(
        acting_user=users["donghu_staff"], clock=clock, at=datetime(2025, 11, 9, 9, 0, tzinfo=SHANGHAI)
    )
    assert (stopped.stopped_on, stopped.state) == (date(2025, 11, 9), "stopped")
    assert live_status(stopped).met is True


def test_hour_clock_start_must_be_a_past_aware_moment(make_case: Any, users: dict[str, Any]) -> None:
    case = make_case()
    with pytest.raises(ValidationError) as err:
        _arrest_clock(case, users["donghu_staff"], timezone.now() + timedelta(hours=2))
    assert "start_at" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        _arrest_clock(case, users["donghu_staff"], datetime(2025, 11, 7, 22, 30))  # noqa: DTZ001 - naive: refused
    assert "start_at" in err.value.message_dict
    assert not StatutoryClock.objects.exists()


def test_live_status_counts_whole_hours_left(make_case: Any, users: dict[str, Any]) -> None:
    clock = _arrest_clock(make_case(), users["donghu_staff"], timezone.now() - timedelta(hours=10, minutes=5))
    status = live_status(clock)
    assert (status.state.value, status.remaining) == ("running", 37)  # 37 h 55 min left


def test_custody_clock_keeps_its_sunday_end_cpl_art105(make_case: Any, users: dict[str, Any]) -> None:
    """30 days from Fri 2025-11-07 end on Sun 2025-12-07; not rolled to Monday when roll=False."""
    case = make_case()
    common = {"acting_user": users["donghu_staff"], "obj": case, "label": "期限", "article": "test"}
    rolled = start_clock(name="a", unit="days", length=30, start=date(2025, 11, 7), **common)
    kept = start_clock(name="b", unit="days", length=30, start=date(2025, 11, 7), roll=False, **common)
    assert (rolled.due_date, kept.due_date) == (date(2025, 12, 8), date(2025, 12, 7))
    scan_deadlines(as_of=date(2025, 12, 8))
    kept.refresh_from_db()
    assert kept.state == "overdue"
    assert Task.objects.count() == 0


def test_only_natural_days_may_be_kept_from_rolling() -> None:
    with pytest.raises(WorkflowDefinitionError):
        ClockSpec("x", "x", "x", "workdays", 5, roll=False)


def test_same_state_events_and_optional_stops_are_declared_and_checked() -> None:
    """An event that keeps whichever source state the object is in (社区矫正法 Art 47: an arrest
    request while the proposal is with the court), and a stop that applies only to a running clock."""
    workflow = Workflow(
        "same_state_example",
        {"sent": "已提请", "received": "待裁定", "ruled": "已裁定"},
        [
            Transition(
                "request",
                {"sent", "received"},
                SAME_STATE,
                permission="x.y",
                clock_effect=ClockEffect.start("h"),
            ),
            Transition(
                "rule",
                "received",
                "ruled",
                permission="x.y",
                clock_effect=ClockEffect.stop("h", if_running=True),
            ),
        ],
        clocks=[ClockSpec("h", "逮捕决定期限", "《社区矫正法》第四十七条", "hours", 48)],
    )
    request = workflow.get("request")
    assert (request.target_from("sent"), request.target_from("received")) == ("sent", "received")
    assert workflow.get("rule").target_from("received") == "ruled"
    assert "stop:h?" in workflow.describe()
    with pytest.raises(WorkflowDefinitionError):
        Workflow("bad", {"a": "a"}, [Transition("t", "a", "nowhere", permission="x.y")])

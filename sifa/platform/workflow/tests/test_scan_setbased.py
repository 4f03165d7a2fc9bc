"""The set-based scan: the near-due boundary in working days across holidays, agreement with the
calendar's per-clock computation, and idempotency (a repeat or a half-done earlier run inserts
nothing)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from sifa.platform.audit.models import DomainEvent
from sifa.platform.calendar import LayeredHolidaySource, YearNotice
from sifa.platform.calendar.deadlines import CalendarView
from sifa.platform.workflow.holidays import calendar_source
from sifa.platform.workflow.models import ClockWarning, Notification, StatutoryClock, Task, WarningLevel
from sifa.platform.workflow.scan import near_due_boundary, scan_deadlines
from sifa.platform.workflow.services import extend_clock, open_task, start_clock, transition

pytestmark = pytest.mark.django_db


def _clock(case: Any, user: Any, name: str, start: date, unit: str, length: int) -> StatutoryClock:
    clock = start_clock(
        acting_user=user,
        obj=case,
        name=name,
        label=f"期限{name}",
        article="行政复议法 第八十八条",
        unit=unit,
        length=length,
        start=start,
    )
    open_task(acting_user=None, title=f"办理{name}", obj=case, assignee_role="bureau_staff", clock=clock)
    return clock


def _level(clock: StatutoryClock) -> str:
    return Task.objects.get(clock=clock).warning


def test_near_due_boundary_counts_working_days_across_national_day_2025() -> None:
    """行政复议法 Art 88 / 民事诉讼法 Art 85: periods "in working days" skip statutory holidays. On
    Tue 2025-09-30, two working days ahead are Thu 10/9 and Fri 10/10 (10/1–10/8 is the National Day
    holiday); the third is the 调休 Saturday 10/11, so the window ends on Fri 10/10 — ten natural
    days away. On Thu 10/9 the two are 10/10 and Sat 10/11, so it ends on Sun 10/12."""
    view = CalendarView(calendar_source())
    assert near_due_boundary(view, date(2025, 9, 30), 2) == date(2025, 10, 10)
    assert near_due_boundary(view, date(2025, 10, 9), 2) == date(2025, 10, 12)
    # no window: only a clock due today (or on the rest days right after it) is near due
    assert near_due_boundary(view, date(2025, 10, 10), 0) == date(2025, 10, 10)


def test_clock_due_after_the_holiday_is_near_due_before_it_art_88(
    make_case: Any, users: dict[str, Any]
) -> None:
    """Scanning on 2025-09-30: a 10-day period from 9/30 (due Fri 10/10) has two working days left
    and is near due; one due Mon 10/13 has three and is not; a task without a clock due 10/10
    gets the same level from its own date."""
    staff = users["donghu_staff"]
    near = _clock(make_case(), staff, "near", date(2025, 9, 30), "days", 10)
    later = _clock(make_case(), staff, "later", date(2025, 9, 28), "days", 15)
    plain = open_task(
        acting_user=None,
        title="内部督办",
        org=staff.org,
        assignee_role="bureau_staff",
        due_date=date(2025, 10, 10),
    )
    assert (near.due_date, later.due_date) == (date(2025, 10, 10), date(2025, 10, 13))

    result = scan_deadlines(as_of=date(2025, 9, 30))

    near.refresh_from_db()
    later.refresh_from_db()
    plain.refresh_from_db()
    assert (near.state, near.remaining) == ("near_due", 10)
    assert (later.state, later.remaining) == ("running", 13)
    assert _level(near) == WarningLevel.NEAR_DUE and _level(later) == WarningLevel.NONE
    assert plain.warning == WarningLevel.NEAR_DUE
    assert (result.near_due, result.overdue, result.warnings_raised) == (1, 0, 1)
    assert DomainEvent.objects.filter(code="deadline.near_due", object_id=str(near.pk)).count() == 1


def test_states_match_the_calendars_own_computation(make_case: Any, users: dict[str, Any]) -> None:
    """For clocks in natural and working days, plain, extended and paused, scanned on days around
    National Day 2025, the cached due date, state and remaining equal ``Clock.status`` of the
    calendar module (the per-clock algorithm the SQL replaces)."""
    staff, head = users["donghu_staff"], users["donghu_head"]
    clocks = [
        _clock(make_case(), staff, f"c{i}", start, unit, length)
        for i, (start, unit, length) in enumerate(
            [
                (date(2025, 9, 26), "workdays", 5),
                (date(2025, 9, 28), "workdays", 5),
                (date(2025, 9, 19), "days", 15),  # 10/4, a holiday → rolls to 10/9
                (date(2025, 9, 1), "days", 30),
                (date(2025, 9, 29), "workdays", 10),
                (date(2025, 8, 20), "days", 60),
            ]
        )
    ]
    extend_clock(acting_user=head, clock=clocks[0], length=2, reason="测试", on=date(2025, 10, 9))
    paused = make_case()
    transition_clock = _clock(paused, staff, "p", date(2025, 9, 22), "workdays", 5)
    from sifa.platform.workflow.services import pause_clock, resume_clock

    pause_clock(acting_user=staff, clock=transition_clock, reason="补正", on=date(2025, 9, 24))
    resume_clock(acting_user=staff, clock=transition_clock, on=date(2025, 10, 10))
    clocks.append(transition_clock)
    source = calendar_source()
    for as_of in [date(2025, 9, 30), date(2025, 10, 9), date(2025, 10, 10), date(2025, 10, 13)]:
        scan_deadlines(as_of=as_of)
        for clock in StatutoryClock.objects.filter(pk__in=[c.pk for c in clocks]):
            expected = clock.to_clock().status(as_of, source)
            got = (clock.due_date, clock.state, clock.remaining, clock.checked_on)
            assert got == (expected.due, expected.state.value, expected.remaining, as_of), (clock, as_of)


def test_a_repeated_scan_inserts_and_updates_nothing(make_case: Any, users: dict[str, Any]) -> None:
    staff = users["donghu_staff"]
    for i in range(3):
        _clock(make_case(), staff, f"r{i}", date(2025, 9, 1 + i), "days", 30)  # overdue on 10/13
    first = scan_deadlines(as_of=date(2025, 10, 13))
    assert (first.overdue, first.warnings_raised, first.notifications) == (3, 3, 3)
    counts = (ClockWarning.objects.count(), DomainEvent.objects.count(), Notification.objects.count())

    again = scan_deadlines(as_of=date(2025, 10, 13))

    assert (again.clocks, again.warnings_raised, again.notifications, again.tasks_updated) == (0, 0, 0, 0)
    assert again.overdue == 3  # still reported, not raised again
    assert (ClockWarning.objects.count(), DomainEvent.objects.count(), Notification.objects.count()) == counts


def test_a_warning_already_recorded_is_not_raised_again(make_case: Any, users: dict[str, Any]) -> None:
    """The ClockWarning key is what makes "once" true even when another run (a concurrent scan, or
    the per-clock scan of an older worker) recorded it first: its events are not written twice."""
    staff = users["donghu_staff"]
    first = _clock(make_case(), staff, "a", date(2025, 9, 1), "days", 30)
    second = _clock(make_case(), staff, "b", date(2025, 9, 2), "days", 30)
    ClockWarning.objects.create(
        clock=first, level="overdue", due_date=first.due_date, raised_on=date(2025, 10, 13)
    )

    result = scan_deadlines(as_of=date(2025, 10, 13))

    assert result.warnings_raised == 1
    assert not DomainEvent.objects.filter(code="deadline.overdue", object_id=str(first.pk)).exists()
    assert DomainEvent.objects.filter(code="deadline.overdue", object_id=str(second.pk)).count() == 1


def test_two_scans_holding_the_same_pending_list_warn_once(make_case: Any, users: dict[str, Any]) -> None:
    """Two scans at once both read the same clocks as "not yet warned"; the second one's INSERT …
    ON CONFLICT DO NOTHING returns no rows, so it writes no event and no notification."""
    from sifa.platform.workflow.scan import ScanResult, _raise_chunk

    staff = users["donghu_staff"]
    for i in range(3):
        _clock(make_case(), staff, f"s{i}", date(2025, 9, 1 + i), "days", 30)
    as_of = date(2025, 10, 13)
    scan_deadlines(as_of=as_of)  # brings the states to as_of
    ClockWarning.objects.all().delete()  # … as if no warning had been recorded yet
    Notification.objects.all().delete()
    pending = list(StatutoryClock.objects.filter(state="overdue").select_related("content_type"))
    events = DomainEvent.objects.filter(code="deadline.overdue").count()
    first, second = ScanResult(as_of=str(as_of)), ScanResult(as_of=str(as_of))

    _raise_chunk(pending, as_of, first)
    _raise_chunk(pending, as_of, second)

    assert (first.warnings_raised, first.notifications) == (3, 3)
    assert (second.warnings_raised, second.notifications) == (0, 0)
    assert DomainEvent.objects.filter(code="deadline.overdue").count() == events + 3
    assert Notification.objects.count() == 3


def test_paused_clock_is_recomputed_daily_and_warns_nothing(started: Any, users: dict[str, Any]) -> None:
    """行政复议法 Art 31: while 补正 is pending the acceptance review does not run; the shown due date
    moves one working day later for every working day paused."""
    transition(started, "request_correction", acting_user=users["donghu_staff"], on=date(2025, 9, 30))
    clock = StatutoryClock.objects.get(object_id=str(started.pk), name="acceptance")
    due = []
    for as_of in (date(2025, 10, 13), date(2025, 10, 14)):
        result = scan_deadlines(as_of=as_of)
        assert (result.near_due, result.overdue, result.warnings_raised) == (0, 0, 0)
        clock.refresh_from_db()
        assert clock.state == "paused"
        due.append(clock.due_date)
    assert due[1] > due[0]


def test_provisional_clock_is_recomputed_when_the_calendar_covers_its_year(
    make_case: Any, users: dict[str, Any]
) -> None:
    """A 90-day period from 2026-11-22 ends on Sat 2027-02-20; without a 2027 notice it rolls to Mon
    2027-02-22 provisionally. A calendar that has the notice (2/20 a 调休 working day) settles it at
    the next scan, with a ``deadline.recomputed`` event."""
    clock = _clock(make_case(), users["donghu_staff"], "p27", date(2026, 11, 22), "days", 90)
    assert clock.provisional and clock.due_date == date(2027, 2, 22)
    notice = YearNotice(
        year=2027,
        holidays=frozenset({date(2027, 1, 1), date(2027, 2, 10)}),
        workdays=frozenset({date(2027, 2, 20)}),
        source="测试通知",
    )
    source = LayeredHolidaySource([notice])

    result = scan_deadlines(as_of=date(2026, 11, 23), source=source)

    clock.refresh_from_db()
    assert result.recomputed == 1
    assert (clock.due_date, clock.provisional) == (date(2027, 2, 20), False)
    assert Task.objects.get(clock=clock).due_date == date(2027, 2, 20)
    assert DomainEvent.objects.filter(code="deadline.recomputed", object_id=str(clock.pk)).count() == 1
    assert scan_deadlines(as_of=date(2026, 11, 23), source=source).recomputed == 0


@pytest.fixture
def started(make_case: Any, users: dict[str, Any]) -> Any:
    from sifa.platform.workflow.services import start_workflow

    case = make_case()
    start_workflow(case, acting_user=users["donghu_staff"], on=date(2025, 9, 28))
    return case

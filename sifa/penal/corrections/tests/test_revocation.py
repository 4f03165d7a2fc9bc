"""Revocation after a decided revocation proposal (社区矫正法 Arts 45–49): the procuratorate copy,
the 48-hour arrest clock, custody, the 30-day ruling clock, termination or continued supervision,
scoping and juvenile confidentiality. Refusals change nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sifa.penal.corrections import services
from sifa.penal.corrections.models import (
    RevocationCase,
    RevocationState,
    Sanction,
    SuperviseeEvent,
    SuperviseeStatus,
)
from sifa.penal.corrections.testing import make_revocation_sanction
from sifa.penal.corrections.workflows import REVOCATION
from sifa.platform.audit.models import ChangeLog
from sifa.platform.audit.services import snapshot
from sifa.platform.workflow.models import StatutoryClock, Task, TransitionLog

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def _sanction(org: Any, decided: dt.date = dt.date(2025, 10, 31), **extra: Any) -> Sanction:
    sanction = make_revocation_sanction(org, **extra)
    sanction.decided_at = dt.datetime.combine(decided, dt.time(10, 0), tzinfo=SHANGHAI)
    sanction.save(update_fields=["decided_at"])
    return sanction


def _open(user: Any, org: Any, **extra: Any) -> RevocationCase:
    return services.open_revocation_case(
        acting_user=user,
        sanction=_sanction(org, **extra),
        procuratorate="南昌市东湖区人民检察院",
        evidence="查找记录、通话记录、警告决定书",
    )


def _sent(user: Any, case: RevocationCase, on: dt.date = dt.date(2025, 11, 3)) -> RevocationCase:
    return services.send_revocation_proposal(
        acting_user=user, case=case, sent_on=on, procuratorate_copy_on=on, issue_document=False
    )


def _received(user: Any, case: RevocationCase, on: dt.date = dt.date(2025, 11, 7)) -> RevocationCase:
    return services.record_court_receipt(acting_user=user, case=_sent(user, case), received_on=on)


def _ruled_after_arrest(user: Any, case: RevocationCase, *, revoked: bool, number: str) -> RevocationCase:
    """Received 11/7, arrest requested 11/7 15:00 and decided 11/8 09:00, ruled 11/20."""
    case = _received(user, case)
    services.request_arrest(
        acting_user=user, case=case, arrest_requested_at=at(2025, 11, 7, 15, 0), arrest_reason="可能逃跑"
    )
    services.record_arrest_decision(
        acting_user=user, case=case, approve=True, arrest_decided_at=at(2025, 11, 8, 9, 0)
    )
    return services.record_ruling(
        acting_user=user, case=case, revoked=revoked, ruling_on=dt.date(2025, 11, 20), ruling_number=number
    )


def _state(case: RevocationCase) -> tuple[Any, ...]:
    """Everything a refused step must leave as it was."""
    return (
        snapshot(RevocationCase.objects.get(pk=case.pk)),
        snapshot(type(case.supervisee).objects.get(pk=case.supervisee_id)),
        ChangeLog.objects.count(),
        TransitionLog.objects.count(),
        StatutoryClock.objects.count(),
        Task.objects.filter(status="open").count(),
        SuperviseeEvent.objects.count(),
    )


@pytest.fixture
def staff(users: dict[str, Any]) -> Any:
    return users["donghu_staff"]  # county bureau staff: the 社区矫正机构 that proposes


def test_revocation_state_codes_equal_the_workflow() -> None:
    assert dict(RevocationState.choices).keys() == REVOCATION.states.keys()


def test_art46_case_opens_from_a_decided_proposal_with_a_task_for_the_county_agency(
    staff: Any, tree: Any
) -> None:
    case = _open(staff, tree.donghu_office)
    assert (case.state, case.agency, case.receiving_body) == ("drafted", tree.donghu, "南昌市东湖区人民法院")
    assert case.reasons == case.sanction.reason
    task = Task.objects.get(object_id=str(case.pk), status="open")
    assert (task.org, task.assignee_role) == (tree.donghu, "bureau_staff")
    assert "抄送人民检察院" in task.title and task.url == case.get_absolute_url()
    event = SuperviseeEvent.objects.get(supervisee=case.supervisee, code="revocation_opened")
    assert "第四十六条" in event.article and "撤销缓刑建议" in event.label


def test_a_case_needs_a_decided_revocation_proposal_once_and_not_for_control(staff: Any, tree: Any) -> None:
    proposed = make_revocation_sanction(tree.donghu_office)
    Sanction.objects.filter(pk=proposed.pk).update(status="proposed")
    warning = make_revocation_sanction(tree.donghu_office)
    Sanction.objects.filter(pk=warning.pk).update(kind="warning")
    control = _sanction(tree.donghu_office, correction_type="control")
    common = {"acting_user": staff, "procuratorate": "东湖区人民检察院", "evidence": "记录"}
    for sanction in (proposed, warning, control):
        with pytest.raises(ValidationError) as err:
            services.open_revocation_case(sanction=sanction, **common)
        assert "sanction" in err.value.message_dict
    case = _open(staff, tree.donghu_office)
    with pytest.raises(ValidationError) as err:
        services.open_revocation_case(sanction=case.sanction, **common)
    assert "已在办理" in err.value.message_dict["sanction"][0]
    assert RevocationCase.objects.count() == 1


def test_art46_refuses_to_send_without_the_procuratorate_copy_and_changes_nothing(
    staff: Any, tree: Any, users: dict[str, Any]
) -> None:
    """Art 46: the proposal is copied to the procuratorate at the same time — without the copy, or
    with a copy on another day, the case is not marked sent, by the service, the generic transition
    endpoint, or the database."""
    case = _open(staff, tree.donghu_office)
    before = _state(case)
    day = dt.date(2025, 11, 3)
    with pytest.raises(ValidationError) as err:
        services.send_revocation_proposal(
            acting_user=staff, case=case, sent_on=day, procuratorate_copy_on=None
        )
    assert "抄送人民检察院" in err.value.message_dict["procuratorate_copy_on"][0]
    with pytest.raises(ValidationError) as err:
        services.send_revocation_proposal(
            acting_user=staff, case=case, sent_on=day, procuratorate_copy_on=day + dt.timedelta(days=2)
        )
    assert "同时" in err.value.message_dict["procuratorate_copy_on"][0]
    client = Client()
    client.force_login(staff)
    client.post(reverse("workflow:transition", args=["corrections.revocationcase", case.pk, "send"]))
    assert _state(case) == before
    with pytest.raises(IntegrityError), transaction.atomic():
        RevocationCase.objects.filter(pk=case.pk).update(sent_on=day)
    sent = _sent(staff, case, day)
    assert (sent.state, sent.sent_on, sent.procuratorate_copy_on) == ("sent", day, day)
    label = SuperviseeEvent.objects.get(supervisee=case.supervisee, code="revocation_send").label
    assert "同时抄送南昌市东湖区人民检察院" in label


def test_art48_ruling_within_30_days_of_receipt(staff: Any, tree: Any) -> None:
    """Art 48: received Fri 2025-11-07 (not counted) + 30 days = Sun 12/7, a rest day → Mon 12/8
    (民事诉讼法 Art 85). The clock is the received state's task in the county agency's inbox."""
    case = _received(staff, _open(staff, tree.donghu_office))
    clock = StatutoryClock.objects.get(object_id=str(case.pk), name="ruling")
    assert (clock.start_date, clock.due_date, clock.article) == (
        dt.date(2025, 11, 7),
        dt.date(2025, 12, 8),
        "《社区矫正法》第四十八条",
    )
    task = Task.objects.get(object_id=str(case.pk), status="open")
    assert (task.clock, task.due_date, task.org) == (clock, dt.date(2025, 12, 8), tree.donghu)
    assert "2025-12-08" in SuperviseeEvent.objects.get(code="revocation_receive").label


def test_art47_48_hour_arrest_clock_across_midnight_and_a_weekend(staff: Any, tree: Any) -> None:
    """Art 47: requested Thu 2025-11-06 23:00 → decision due Sat 2025-11-08 23:00 (two midnights; a
    Saturday, not rolled). Arrest decided Fri 10:00 and made the same day: custody of at most 30
    days ends Sun 12/7 and is not extended to Monday (刑事诉讼法 Art 105)."""
    case = _sent(staff, _open(staff, tree.donghu_office))
    case = services.request_arrest(
        acting_user=staff,
        case=case,
        arrest_requested_at=at(2025, 11, 6, 23, 0),
        arrest_reason="多次脱管，可能逃跑",
    )
    assert case.state == "sent"  # the arrest runs beside the proposal's states
    clock = StatutoryClock.objects.get(object_id=str(case.pk), name="arrest_decision")
    assert (clock.unit, clock.due_display, clock.article) == (
        "hours",
        "2025-11-08 23:00",
        "《社区矫正法》第四十七条",
    )
    task = Task.objects.get(object_id=str(case.pk), opened_in_state="arrest_decision")
    assert task.due_display == "2025-11-08 23:00" and task.org == tree.donghu
    case = services.record_arrest_decision(
        acting_user=staff, case=case, approve=True, arrest_decided_at=at(2025, 11, 7, 10, 0)
    )
    clock.refresh_from_db()
    assert clock.stopped_at == at(2025, 11, 7, 10, 0) and clock.state == "stopped"
    assert not Task.objects.filter(pk=task.pk, status="open").exists()
    custody = StatutoryClock.objects.get(object_id=str(case.pk), name="custody")
    assert (case.arrested_on, custody.due_date, custody.rolls) == (
        dt.date(2025, 11, 7),
        dt.date(2025, 12, 7),
        False,
    )
    assert Task.objects.get(object_id=str(case.pk), opened_in_state="custody").due_date == dt.date(
        2025, 12, 7
    )


def test_art47_late_arrest_decision_is_recorded_as_late(staff: Any, tree: Any) -> None:
    case = _sent(staff, _open(staff, tree.donghu_office))
    services.request_arrest(
        acting_user=staff, case=case, arrest_requested_at=at(2025, 11, 6, 23, 0), arrest_reason="可能逃跑"
    )
    services.record_arrest_decision(
        acting_user=staff, case=case, approve=False, arrest_decided_at=at(2025, 11, 9, 9, 0)
    )
    clock = StatutoryClock.objects.get(object_id=str(case.pk), name="arrest_decision")
    assert clock.state == "stopped" and clock.stopped_at is not None and clock.stopped_at > clock.due_at  # type: ignore[operator]
    assert not StatutoryClock.objects.filter(object_id=str(case.pk), name="custody").exists()


def test_art45_art48_revoked_ruling_terminates_the_supervisee_then_art49_hand_over(
    staff: Any, tree: Any
) -> None:
    case = _ruled_after_arrest(
        staff, _open(staff, tree.donghu_office), revoked=True, number="（2025）赣0102刑更12号"
    )
    supervisee = case.supervisee
    supervisee.refresh_from_db()
    assert case.state == "revoked"
    assert (supervisee.state, supervisee.termination_reason, supervisee.ended_on) == (
        SuperviseeStatus.TERMINATED,
        "revoked",
        dt.date(2025, 11, 20),
    )
    assert supervisee.archive_number
    terminate = TransitionLog.objects.get(object_id=str(supervisee.pk), transition="terminate")
    assert terminate.article == "《社区矫正法》第四十五条" and "刑更12号" in terminate.note
    open_clocks = StatutoryClock.objects.filter(object_id=str(case.pk), stopped_on__isnull=True)
    assert not open_clocks.exists()  # ruling and custody clocks stopped
    (task,) = Task.objects.filter(object_id=str(case.pk), status="open")
    assert "交付执行" in task.title or "送交" in task.title
    case = services.record_hand_over(
        acting_user=staff, case=case, handed_over_on=dt.date(2025, 11, 22), handed_over_to="江西省洪都监狱"
    )
    assert (case.state, case.handed_over_to) == ("handed_over", "江西省洪都监狱")
    assert not Task.objects.filter(object_id=str(case.pk), status="open").exists()
    codes = list(SuperviseeEvent.objects.filter(supervisee=supervisee).values_list("code", "article"))
    assert ("terminate", "《社区矫正法》第四十五条") in codes
    assert ("revocation_hand_over", "《社区矫正法》第四十九条") in codes


def test_art49_temporary_release_is_committed_not_revoked(staff: Any, tree: Any) -> None:
    case = _open(staff, tree.donghu_office, correction_type="temporary_release")
    assert case.proposal_title == "收监执行建议" and "第四十九条" in case.proposal_article
    case = services.record_ruling(
        acting_user=staff,
        case=_received(staff, case),
        revoked=True,
        ruling_on=dt.date(2025, 11, 20),
        ruling_number="东湖监外收〔2025〕3号",
    )
    case.supervisee.refresh_from_db()
    assert case.supervisee.termination_reason == "committed"


def test_art48_not_revoked_supervision_continues(staff: Any, tree: Any) -> None:
    case = _ruled_after_arrest(
        staff, _open(staff, tree.donghu_office), revoked=False, number="（2025）赣0102刑更13号"
    )
    case.supervisee.refresh_from_db()
    assert case.state == "not_revoked" and case.supervisee.state == SuperviseeStatus.UNDER_SUPERVISION
    event = SuperviseeEvent.objects.get(supervisee=case.supervisee, code="revocation_not_revoked")
    assert "继续执行社区矫正" in event.label and "立即释放" in event.note and "第四十八条" in event.article
    assert not Task.objects.filter(object_id=str(case.pk), status="open").exists()
    assert not StatutoryClock.objects.filter(object_id=str(case.pk), stopped_on__isnull=True).exists()


def test_a_ruling_that_cannot_terminate_is_not_half_saved(
    staff: Any, tree: Any, users: dict[str, Any]
) -> None:
    case = _received(staff, _open(staff, tree.donghu_office))
    services.terminate_supervisee(
        acting_user=users["donghu_head"], supervisee=case.supervisee_id, reason="death"
    )
    before = _state(case)
    with pytest.raises(ValidationError) as err:
        services.record_ruling(
            acting_user=staff, case=case, revoked=True, ruling_on=dt.date(2025, 11, 20), ruling_number="X1"
        )
    assert "state" in err.value.message_dict
    assert _state(case) == before
    assert RevocationCase.objects.get(pk=case.pk).ruling == ""


def test_another_countys_user_gets_404_and_changes_nothing(
    staff: Any, tree: Any, users: dict[str, Any]
) -> None:
    case = _sent(staff, _open(staff, tree.donghu_office))
    before = _state(case)
    for outsider in (users["xunyang_head"], users["xunyang_staff"]):
        with pytest.raises(Http404):
            services.record_court_receipt(acting_user=outsider, case=case, received_on=dt.date(2025, 11, 7))
        with pytest.raises(Http404):
            services.request_arrest(
                acting_user=outsider, case=case, arrest_requested_at=at(2025, 11, 7, 9, 0), arrest_reason="x"
            )
        with pytest.raises(Http404):
            services.open_revocation_case(
                acting_user=outsider, sanction=_sanction(tree.donghu_office), procuratorate="x", evidence="x"
            )
        client = Client()
        client.force_login(outsider)
        assert client.get(reverse("corrections:revocation-detail", args=[case.pk])).status_code == 404
        response = client.post(
            reverse("corrections:revocation-action", args=[case.pk, "receive"]), {"received_on": "2025-11-07"}
        )
        assert response.status_code == 404
    assert _state(case)[0] == before[0] and RevocationCase.objects.count() == 1


def test_office_staff_see_the_case_but_may_not_act(staff: Any, tree: Any, users: dict[str, Any]) -> None:
    case = _open(staff, tree.donghu_office)
    office = users["donghu_office_staff"]
    assert RevocationCase.objects.restrict(office, "view").filter(pk=case.pk).exists()
    before = _state(case)
    with pytest.raises(PermissionDenied):
        services.send_revocation_proposal(
            acting_user=office,
            case=case,
            sent_on=dt.date(2025, 11, 3),
            procuratorate_copy_on=dt.date(2025, 11, 3),
        )
    assert _state(case) == before


def test_bad_input_names_the_field_in_chinese(staff: Any, tree: Any) -> None:
    def fields(fn: Any, **kwargs: Any) -> dict[str, list[str]]:
        with pytest.raises(ValidationError) as err:
            fn(acting_user=staff, **kwargs)
        messages = err.value.message_dict
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for ms in messages.values() for m in ms)
        return messages

    future = timezone.localdate() + dt.timedelta(days=3)
    opened = fields(
        services.open_revocation_case, sanction=_sanction(tree.donghu_office), procuratorate="", evidence=""
    )
    assert {"procuratorate", "evidence"} <= set(opened)
    case = _open(staff, tree.donghu_office)
    assert "sent_on" in fields(
        services.send_revocation_proposal, case=case, sent_on=future, procuratorate_copy_on=future
    )
    assert "sent_on" in fields(  # before the decision to propose (2025-10-31)
        services.send_revocation_proposal,
        case=case,
        sent_on=dt.date(2025, 10, 1),
        procuratorate_copy_on=dt.date(2025, 10, 1),
    )
    assert "state" in fields(services.record_court_receipt, case=case, received_on=dt.date(2025, 11, 7))
    case = _sent(staff, case)
    assert "received_on" in fields(services.record_court_receipt, case=case, received_on=dt.date(2025, 11, 1))
    arrest = fields(
        services.request_arrest,
        case=case,
        arrest_requested_at=dt.datetime(2025, 11, 7, 9, 0),  # noqa: DTZ001 - naive on purpose: refused
        arrest_reason="",
    )
    assert {"arrest_requested_at", "arrest_reason"} <= set(arrest)
    assert "arrest_decided_at" in fields(
        services.record_arrest_decision, case=case, approve=True, arrest_decided_at=at(2025, 11, 7, 9, 0)
    )  # nothing requested yet
    case = services.record_court_receipt(acting_user=staff, case=case, received_on=dt.date(2025, 11, 7))
    ruling = fields(
        services.record_ruling, case=case, revoked=True, ruling_on=dt.date(2025, 11, 1), ruling_number=""
    )
    assert {"ruling_number"} <= set(ruling)
    assert "ruling_on" in fields(
        services.record_ruling, case=case, revoked=True, ruling_on=dt.date(2025, 11, 1), ruling_number="X"
    )
    assert RevocationCase.objects.get(pk=case.pk).state == "received"


def test_arts52_58_juvenile_cases_are_hidden_from_staff_without_the_right(
    tree: Any, users: dict[str, Any], officer: Any
) -> None:
    head = users["donghu_head"]
    case = _open(head, tree.donghu_office, is_juvenile=True)
    staff = users["donghu_staff"]
    assert not RevocationCase.objects.restrict(staff, "view").filter(pk=case.pk).exists()
    with pytest.raises(Http404):
        services.send_revocation_proposal(
            acting_user=staff,
            case=case,
            sent_on=dt.date(2025, 11, 3),
            procuratorate_copy_on=dt.date(2025, 11, 3),
        )
    assert RevocationCase.objects.restrict(head, "view").filter(pk=case.pk).exists()
    assert RevocationCase.objects.restrict(officer, "view").filter(pk=case.pk).exists()

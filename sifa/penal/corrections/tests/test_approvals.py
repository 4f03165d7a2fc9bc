"""Leave tiers (Art 27), monitoring orders (Art 29), sanction suggestions (Art 28), juvenile records
(Arts 52–58). Denied approvals change nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from sifa.penal.corrections import selectors, services
from sifa.penal.corrections.models import (
    ApprovalStatus,
    LeaveApplication,
    MonitoringOrder,
    Sanction,
    Supervisee,
)
from sifa.penal.corrections.rules import add_months
from sifa.penal.corrections.testing import make_supervisee
from sifa.platform.audit.models import ChangeLog
from sifa.platform.audit.services import snapshot
from sifa.platform.workflow.models import Task


def _apply(user: Any, sup: Supervisee, days: int, offset: int = 5) -> LeaveApplication:
    start = timezone.localdate() + dt.timedelta(days=offset)
    return services.apply_leave(
        acting_user=user,
        supervisee=sup,
        destination="上海市",
        reason="探望病重的母亲",
        start_date=start,
        end_date=start + dt.timedelta(days=days - 1),
    )


def _unchanged(obj: Any) -> tuple[Any, ...]:
    return snapshot(type(obj).objects.get(pk=obj.pk)), ChangeLog.objects.count()


@pytest.mark.parametrize(("days", "tier"), [(3, "office"), (7, "office"), (8, "county"), (31, "higher")])
def test_art27_leave_is_routed_to_its_tier(users, tree, days: int, tier: str) -> None:
    sup = make_supervisee(tree.donghu_office)
    leave = _apply(users["donghu_office_staff"], sup, days)
    assert (leave.days, leave.tier, leave.status) == (days, tier, "pending")
    task = Task.objects.get(object_id=str(leave.pk), status="open")
    expected_org = {"office": tree.donghu_office, "county": tree.donghu, "higher": tree.nanchang}[tier]
    assert task.org == expected_org


def test_art27_thirty_days_in_two_months_goes_to_the_higher_level(users, tree) -> None:
    staff = users["donghu_office_staff"]
    sup = make_supervisee(tree.donghu_office)
    first = _apply(staff, sup, 25, offset=2)
    services.decide_leave(acting_user=users["donghu_head"], leave=first, approve=True)
    second = _apply(staff, sup, 6, offset=30)  # short, but 31 days within two months
    assert second.days_in_window == 31 and second.tier == "higher"


def test_art27_office_approves_a_short_leave(users, tree) -> None:
    leave = _apply(users["donghu_office_staff"], make_supervisee(tree.donghu_office), 3)
    leave = services.decide_leave(acting_user=users["donghu_office_staff"], leave=leave, approve=True)
    assert leave.status == ApprovalStatus.APPROVED
    assert not Task.objects.filter(object_id=str(leave.pk), status="open").exists()
    assert selectors.pending_leaves_for(users["donghu_head"]).count() == 0


def test_art27_approver_org_must_match_tier_and_refusal_changes_nothing(users, tree, nanchang_head) -> None:
    sup = make_supervisee(tree.donghu_office)
    county_leave = _apply(users["donghu_office_staff"], sup, 10)
    state = _unchanged(county_leave)
    with pytest.raises(PermissionDenied):  # the office may not approve a county-tier leave
        services.decide_leave(acting_user=users["donghu_office_staff"], leave=county_leave, approve=True)
    with pytest.raises(PermissionDenied):  # bureau staff hold no approval verb
        services.decide_leave(acting_user=users["donghu_staff"], leave=county_leave, approve=True)
    with pytest.raises(PermissionDenied):  # the city is above the tier, not the tier
        services.decide_leave(acting_user=nanchang_head, leave=county_leave, approve=True)
    with pytest.raises(Http404):  # another county does not even see it
        services.decide_leave(acting_user=users["xunyang_head"], leave=county_leave, approve=True)
    assert _unchanged(county_leave) == state
    approved = services.decide_leave(acting_user=users["donghu_head"], leave=county_leave, approve=True)
    assert approved.decided_by == users["donghu_head"]

    higher = _apply(users["donghu_office_staff"], sup, 31, offset=40)
    with pytest.raises(PermissionDenied):
        services.decide_leave(acting_user=users["donghu_head"], leave=higher, approve=True)
    assert (
        services.decide_leave(
            acting_user=nanchang_head, leave=higher, approve=False, note="理由不充分"
        ).status
        == "rejected"
    )


def test_leave_field_errors(users, tree) -> None:
    sup = make_supervisee(tree.donghu_office)
    today = timezone.localdate()
    with pytest.raises(ValidationError) as err:
        services.apply_leave(
            acting_user=users["donghu_office_staff"],
            supervisee=sup,
            destination="",
            reason="",
            start_date=today,
            end_date=today - dt.timedelta(days=1),
        )
    assert {"destination", "reason", "end_date"} <= set(err.value.message_dict)
    assert not LeaveApplication.objects.exists()


def test_frequent_travel_approval_runs_six_months_at_county_tier(users, tree) -> None:
    sup = make_supervisee(tree.donghu_office)
    start = timezone.localdate() + dt.timedelta(days=3)
    leave = services.apply_leave(
        acting_user=users["donghu_office_staff"],
        supervisee=sup,
        kind="frequent",
        destination="九江市",
        reason="工作需要经常往返",
        start_date=start,
    )
    assert leave.tier == "county"
    assert leave.end_date == add_months(start, 6) - dt.timedelta(days=1)


# --- Art 29 electronic monitoring -------------------------------------------------------------------------


def _propose(user: Any, sup: Supervisee, start: dt.date, months_days: int, **extra: Any) -> MonitoringOrder:
    return services.propose_monitoring(
        acting_user=user,
        supervisee=sup,
        ground="left_area",
        ground_detail="未经批准离开东湖区三日",
        start_date=start,
        end_date=start + dt.timedelta(days=months_days),
        **extra,
    )


def test_art29_more_than_three_months_is_refused(users, tree) -> None:
    sup = make_supervisee(tree.donghu_office)
    start = dt.date(2026, 3, 1)
    Supervisee.objects.filter(pk=sup.pk).update(period_end=dt.date(2027, 12, 31))
    with pytest.raises(ValidationError) as err:
        _propose(users["donghu_office_staff"], sup, start, 92)  # to 1 June
    assert "第二十九条" in err.value.message_dict["end_date"][0]
    assert _propose(users["donghu_office_staff"], sup, start, 91).end_date == dt.date(2026, 5, 31)


def test_art29_only_listed_grounds(users, tree) -> None:
    sup = make_supervisee(tree.donghu_office)
    with pytest.raises(ValidationError) as err:
        services.propose_monitoring(
            acting_user=users["donghu_office_staff"],
            supervisee=sup,
            ground="convenience",
            ground_detail="方便管理",
            start_date=timezone.localdate(),
            end_date=timezone.localdate(),
        )
    assert "ground" in err.value.message_dict


def test_art29_only_the_county_bureau_head_approves(users, tree, nanchang_head) -> None:
    sup = make_supervisee(tree.donghu_office)
    today = timezone.localdate()
    order = _propose(users["donghu_office_staff"], sup, today, 60)
    state = _unchanged(order)
    for user in (users["donghu_staff"], users["donghu_office_staff"], nanchang_head, users["province_admin"]):
        with pytest.raises(PermissionDenied):
            services.decide_monitoring(acting_user=user, order=order, approve=True)
    with pytest.raises(Http404):
        services.decide_monitoring(acting_user=users["xunyang_head"], order=order, approve=True)
    assert _unchanged(order) == state
    assert selectors.active_monitoring_order(sup, timezone.now()) is None  # pending: no positions
    services.decide_monitoring(acting_user=users["donghu_head"], order=order, approve=True)
    assert selectors.active_monitoring_order(sup, timezone.now()) == order
    assert selectors.active_monitoring_order(sup, today + dt.timedelta(days=61)) is None
    assert sup.pk in selectors.monitored_supervisee_ids(today)


def test_art29_renewal_needs_reassessment_and_new_approval(users, tree) -> None:
    sup = make_supervisee(tree.donghu_office)
    today = timezone.localdate()
    first = _propose(users["donghu_office_staff"], sup, today, 30)
    services.decide_monitoring(acting_user=users["donghu_head"], order=first, approve=True)
    next_start = first.end_date + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as err:
        _propose(users["donghu_office_staff"], sup, next_start, 30, renews=first)
    assert "reassessment" in err.value.message_dict
    renewal = _propose(
        users["donghu_office_staff"],
        sup,
        next_start,
        30,
        renews=first,
        reassessment="经重新评估，仍存在脱管风险，需继续使用。",
    )
    assert selectors.active_monitoring_order(sup, next_start) is None  # not yet approved
    services.decide_monitoring(acting_user=users["donghu_head"], order=renewal, approve=True)
    assert selectors.active_monitoring_order(sup, next_start) == renewal


def test_art29_lifted_order_stops_position_storage(users, tree) -> None:
    sup = make_supervisee(tree.donghu_office)
    today = timezone.localdate()
    order = _propose(users["donghu_office_staff"], sup, today, 30)
    services.decide_monitoring(acting_user=users["donghu_head"], order=order, approve=True)
    services.lift_monitoring(
        acting_user=users["donghu_office_staff"], order=order, reason="表现良好，无需继续"
    )
    assert selectors.active_monitoring_order(sup, today) is None


# --- Art 28 sanctions ------------------------------------------------------------------------------------


def test_art28_suggestion_from_recorded_absconding_days_and_history(users, tree) -> None:
    staff, head = users["donghu_office_staff"], users["donghu_head"]
    sup = make_supervisee(tree.donghu_office)
    today = timezone.localdate()
    v1 = services.record_violation(
        acting_user=staff,
        supervisee=sup,
        kind="absconding",
        occurred_on=today,
        absconding_days=4,
        description="失联4日",
    )
    assert services.suggestion_for(v1).rule == "reprimand.absconding_short"
    for _ in range(2):
        s = services.propose_sanction(
            acting_user=staff, supervisee=sup, kind="reprimand", violation=v1, reason="脱管4日"
        )
        services.decide_sanction(acting_user=head, sanction=s, issue_document=False)
    v2 = services.record_violation(
        acting_user=staff, supervisee=sup, kind="missed_report", occurred_on=today, description="未按时报告"
    )
    assert services.suggestion_for(v2).rule == "warning.after_reprimands"
    v3 = services.record_violation(
        acting_user=staff,
        supervisee=sup,
        kind="absconding",
        occurred_on=today,
        absconding_days=40,
        description="失联40日",
    )
    suggestion = services.suggestion_for(v3)
    assert (suggestion.kind, suggestion.rule) == ("revocation_proposal", "revocation.absconding_over_month")


def test_art28_departing_from_the_suggestion_needs_a_reason(users, tree) -> None:
    staff = users["donghu_office_staff"]
    sup = make_supervisee(tree.donghu_office)
    v = services.record_violation(
        acting_user=staff,
        supervisee=sup,
        kind="absconding",
        occurred_on=timezone.localdate(),
        absconding_days=15,
        description="失联15日",
    )
    with pytest.raises(ValidationError) as err:
        services.propose_sanction(
            acting_user=staff, supervisee=sup, kind="reprimand", violation=v, reason="从轻"
        )
    assert "警告" in err.value.message_dict["reason"][0]
    s = services.propose_sanction(
        acting_user=staff, supervisee=sup, kind="warning", violation=v, reason="脱管15日"
    )
    assert (s.suggested_kind, s.suggested_rule) == ("warning", "warning.absconding_over_limit")
    with pytest.raises(PermissionDenied):
        services.decide_sanction(acting_user=staff, sanction=s)
    assert Sanction.objects.get(pk=s.pk).status == "proposed"


# --- Arts 52–58 juvenile confidentiality -----------------------------------------------------------------


def test_juvenile_records_are_hidden_from_roles_without_the_permission(users, tree, officer) -> None:
    adult = make_supervisee(tree.donghu_office)
    minor = make_supervisee(tree.donghu_office, is_juvenile=True)
    order = _propose(officer, minor, timezone.localdate(), 30)
    staff = users["donghu_office_staff"]
    visible = set(selectors.supervisees_for(staff).values_list("pk", flat=True))
    assert adult.pk in visible and minor.pk not in visible
    assert not MonitoringOrder.objects.restrict(staff, "view").filter(pk=order.pk).exists()
    with pytest.raises(Http404):
        services.record_violation(
            acting_user=staff,
            supervisee=minor,
            kind="other",
            occurred_on=timezone.localdate(),
            description="x",
        )
    assert selectors.statistics(staff)["active"] == 1
    for user in (officer, users["donghu_head"]):
        assert minor.pk in set(selectors.supervisees_for(user).values_list("pk", flat=True))
    assert selectors.statistics(officer)["active"] == 2


def test_juvenile_derived_from_birth_date_and_creation_needs_the_permission(users, tree, officer) -> None:
    import random

    from sifa.platform.orgs.models import Division
    from sifa.platform.people.models import Person
    from sifa.platform.personal import make_id_number

    today = timezone.localdate()
    minor_id = make_id_number(
        random.Random(3),
        birth_date=today.replace(year=today.year - 16) - dt.timedelta(days=3),
        area_code="360102",
    )
    kwargs: dict[str, Any] = {
        "org": tree.donghu_office,
        "name": "小明",
        "id_number": minor_id,
        "correction_type": "probation",
        "deciding_organ": "东湖区人民法院",
        "crime": "盗窃罪",
        "sentence": "拘役，缓刑",
        "judgment_date": today,
        "effective_date": today,
        "period_start": today,
        "period_end": today + dt.timedelta(days=100),
        "residence_division": Division.objects.get(pk="360102"),
    }
    with pytest.raises(ValidationError) as err:
        services.receive_notice(acting_user=users["donghu_office_staff"], **kwargs)
    assert "is_juvenile" in err.value.message_dict
    sup = services.receive_notice(acting_user=officer, **kwargs)
    assert sup.is_juvenile
    # The person record is restricted too, so the platform's people list does not reveal the minor.
    assert sup.person.restricted
    assert sup.person not in Person.objects.restrict(users["donghu_office_staff"], "view")


def test_art27_residence_change_clocks_and_county_approval(users, tree) -> None:
    from sifa.platform.calendar import compute_deadline
    from sifa.platform.orgs.models import Division

    sup = make_supervisee(tree.donghu_office)
    staff, head = users["donghu_office_staff"], users["donghu_head"]
    with pytest.raises(ValidationError) as err:
        services.apply_residence_change(
            acting_user=staff,
            supervisee=sup,
            new_division=sup.residence_division,
            new_address="某路1号",
            reason="工作调动",
        )
    assert "new_division" in err.value.message_dict
    change = services.apply_residence_change(
        acting_user=staff,
        supervisee=sup,
        new_division=Division.objects.get(pk="360402"),
        new_address="浔阳区某路1号",
        reason="随子女居住",
    )
    today = timezone.localdate()
    assert change.views_due == compute_deadline(today, 5, "days").due
    with pytest.raises(PermissionDenied):
        services.decide_residence_change(acting_user=staff, change=change, approve=True)
    change = services.decide_residence_change(acting_user=head, change=change, approve=True)
    assert change.report_due == compute_deadline(today, 7, "days").due
    services.complete_residence_change(acting_user=staff, change=change)
    assert Supervisee.objects.get(pk=sup.pk).residence_division_id == "360402"
    assert selectors.monitoring_area(sup) == "360402"


def test_art28_decision_is_issued_as_a_numbered_document(users, tree) -> None:
    staff = users["donghu_office_staff"]
    sup = make_supervisee(tree.donghu_office)
    v = services.record_violation(
        acting_user=staff,
        supervisee=sup,
        kind="absconding",
        occurred_on=timezone.localdate(),
        absconding_days=3,
        description="失联3日",
    )
    s = services.propose_sanction(
        acting_user=staff, supervisee=sup, kind="reprimand", violation=v, reason="脱管3日"
    )
    s = services.decide_sanction(acting_user=users["donghu_head"], sanction=s)
    assert s.status == "decided" and s.document is not None
    assert "训诫" in s.document.title and s.document.number

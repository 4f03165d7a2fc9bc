"""Pages and API: field errors on bad input, approval from the list page, statistics, the API actions."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from sifa.penal.corrections import services
from sifa.penal.corrections.models import LeaveApplication, MonitoringOrder, Supervisee
from sifa.penal.corrections.testing import make_supervisee, supervisee_payload


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_intake_form_shows_field_errors_and_saves_nothing(users, tree) -> None:
    client = _client(users["donghu_office_staff"])
    assert client.get(reverse("corrections:supervisee-create")).status_code == 200
    payload = supervisee_payload(tree.donghu_office) | {
        "id_number": "110105194912310021",
        "deciding_organ_kind": "court",
        "supervision_level": "ordinary",
        "period_end": (timezone.localdate() - dt.timedelta(days=400)).isoformat(),
    }
    response = client.post(reverse("corrections:supervisee-create"), payload)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="error-id_number"' in html and "校验码" in html
    assert 'data-testid="error-period_end"' in html
    assert not Supervisee.objects.exists()
    payload["id_number"] = supervisee_payload(tree.donghu_office)["id_number"]
    payload["period_end"] = (timezone.localdate() + dt.timedelta(days=300)).isoformat()
    response = client.post(reverse("corrections:supervisee-create"), payload)
    assert response.status_code == 302
    assert Supervisee.objects.get().state == "notified"


def test_county_head_approves_a_pending_leave_from_the_approval_page(users, tree) -> None:
    sup = make_supervisee(tree.donghu_office)
    start = timezone.localdate() + dt.timedelta(days=3)
    leave = services.apply_leave(
        acting_user=users["donghu_office_staff"],
        supervisee=sup,
        destination="北京市",
        reason="就医",
        start_date=start,
        end_date=start + dt.timedelta(days=9),
    )
    head = _client(users["donghu_head"])
    page = head.get(reverse("corrections:leave-list"))
    assert page.status_code == 200 and sup.name in page.content.decode()
    office = _client(users["donghu_office_staff"])  # county tier: the office is refused, nothing changes
    office.post(reverse("corrections:leave-decide", args=[leave.pk]), {"approve": "1"})
    assert LeaveApplication.objects.get(pk=leave.pk).status == "pending"
    head.post(reverse("corrections:leave-decide", args=[leave.pk]), {"approve": "1", "note": "同意"})
    assert LeaveApplication.objects.get(pk=leave.pk).status == "approved"


def test_detail_page_shows_the_timeline_with_articles(users, tree) -> None:
    sup = make_supervisee(tree.donghu_office)
    services.propose_monitoring(
        acting_user=users["donghu_office_staff"],
        supervisee=sup,
        ground="left_area",
        ground_detail="擅自离开",
        start_date=timezone.localdate(),
        end_date=timezone.localdate() + dt.timedelta(days=30),
    )
    html = (
        _client(users["donghu_head"])
        .get(reverse("corrections:supervisee-detail", args=[sup.pk]))
        .content.decode()
    )
    assert 'data-testid="timeline"' in html and "第二十九条" in html


def test_monitoring_form_refuses_more_than_three_months_with_a_field_error(users, tree) -> None:
    sup = make_supervisee(tree.donghu_office)
    start = timezone.localdate()
    response = _client(users["donghu_office_staff"]).post(
        reverse("corrections:monitoring-create", args=[sup.pk]),
        {
            "ground": "left_area",
            "ground_detail": "擅自离开",
            "start_date": start.isoformat(),
            "end_date": (start + dt.timedelta(days=120)).isoformat(),
        },
    )
    assert response.status_code == 200 and 'data-testid="error-end_date"' in response.content.decode()
    assert not MonitoringOrder.objects.exists()


def test_statistics_page_and_dashboard_cards(users, tree) -> None:
    make_supervisee(tree.donghu_office)
    make_supervisee(tree.xunyang_office)
    response = _client(users["donghu_staff"]).get(reverse("corrections:statistics"))
    assert response.status_code == 200
    assert response.context["stats"]["active"] == 1  # the other county is out of scope
    assert response.context["stats"]["breaches_per_week"][-1][1] == 0
    assert (
        _client(users["province_admin"]).get(reverse("corrections:statistics")).context["stats"]["active"]
        == 2
    )
    assert _client(users["citizen_a"]).get(reverse("corrections:statistics")).status_code == 403


def test_api_monitoring_decision_only_for_the_county_head(users, tree) -> None:
    sup = make_supervisee(tree.donghu_office)
    staff = APIClient()
    staff.force_login(users["donghu_office_staff"])
    start = timezone.localdate()
    created = staff.post(
        "/api/corrections/monitoring-orders/",
        {
            "supervisee": sup.pk,
            "ground": "left_area",
            "ground_detail": "擅自离开",
            "start_date": start.isoformat(),
            "end_date": (start + dt.timedelta(days=200)).isoformat(),
        },
        format="json",
    )
    assert created.status_code == 400 and "end_date" in created.json()["errors"]
    created = staff.post(
        "/api/corrections/monitoring-orders/",
        {
            "supervisee": sup.pk,
            "ground": "left_area",
            "ground_detail": "擅自离开",
            "start_date": start.isoformat(),
            "end_date": (start + dt.timedelta(days=60)).isoformat(),
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    url = f"/api/corrections/monitoring-orders/{created.json()['id']}/decide/"
    assert staff.post(url, {"approve": True}, format="json").status_code == 403
    head = APIClient()
    head.force_login(users["donghu_head"])
    decided = head.post(url, {"approve": True}, format="json")
    assert decided.status_code == 200 and decided.json()["status"] == "approved"


def test_api_report_and_register(users, tree) -> None:
    client = APIClient()
    client.force_login(users["donghu_office_staff"])
    created = client.post(
        "/api/corrections/supervisees/", supervisee_payload(tree.donghu_office), format="json"
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert (
        client.post(
            f"/api/corrections/supervisees/{pk}/register/", {"file_number": "A1"}, format="json"
        ).status_code
        == 400
    )  # must report first
    assert (
        client.post(
            f"/api/corrections/supervisees/{pk}/report/", {"identity_verified": True}, format="json"
        ).json()["state"]
        == "reported"
    )
    assert (
        client.post(
            f"/api/corrections/supervisees/{pk}/register/", {"file_number": "A1"}, format="json"
        ).json()["state"]
        == "under_supervision"
    )
    codes = [e["code"] for e in client.get(f"/api/corrections/supervisees/{pk}/timeline/").json()]
    assert codes == ["notice_received", "report", "register"]


def test_dashboard_shows_corrections_cards_and_list_pages_render(users, tree) -> None:
    make_supervisee(tree.donghu_office)
    client = _client(users["donghu_head"])
    html = client.get(reverse("ui:dashboard")).content.decode()
    assert "在册社区矫正对象" in html and "每周越界告警" in html
    for name in ("corrections:supervisee-list", "corrections:leave-list", "corrections:order-list"):
        assert client.get(reverse(name)).status_code == 200
    export = client.get(reverse("corrections:supervisee-list") + "?export=csv")
    assert export.status_code == 200 and "姓名" in export.content.decode("utf-8-sig")


def test_violation_page_shows_the_art28_suggestion_and_proposes_it(users, tree) -> None:
    sup = make_supervisee(tree.donghu_office)
    client = _client(users["donghu_office_staff"])
    bad = client.post(
        reverse("corrections:violation-create", args=[sup.pk]),
        {
            "kind": "absconding",
            "occurred_on": timezone.localdate().isoformat(),
            "absconding_days": 0,
            "description": "失联",
        },
    )
    assert 'data-testid="error-absconding_days"' in bad.content.decode()
    client.post(
        reverse("corrections:violation-create", args=[sup.pk]),
        {
            "kind": "absconding",
            "occurred_on": timezone.localdate().isoformat(),
            "absconding_days": 12,
            "description": "失联12日",
        },
    )
    html = client.get(reverse("corrections:supervisee-detail", args=[sup.pk])).content.decode()
    assert "warning.absconding_over_limit" in html
    violation = sup.violations.get()
    client.post(
        reverse("corrections:sanction-propose", args=[violation.pk]),
        {"kind": "warning", "reason": "脱离监管超过10日（12日）"},
    )
    assert sup.sanctions.get().kind == "warning"


def test_team_page_enforces_art25_and_plan_page_saves_a_version(users, tree) -> None:
    sup = make_supervisee(tree.donghu_office)  # female
    client = _client(users["donghu_office_staff"])
    response = client.post(
        reverse("corrections:team-edit", args=[sup.pk]),
        {"name_1": "李强", "role_1": "office", "sex_1": "male"},
    )
    assert response.status_code == 200 and "第二十五条" in response.content.decode()
    assert not sup.team.exists()
    client.post(
        reverse("corrections:team-edit", args=[sup.pk]),
        {
            "name_1": "李强",
            "role_1": "office",
            "sex_1": "male",
            "name_2": "刘芳",
            "role_2": "social_worker",
            "sex_2": "female",
        },
    )
    assert sup.team.count() == 2
    client.post(
        reverse("corrections:plan-edit", args=[sup.pk]), {"content": "每周报告一次，参加公益活动每月八小时。"}
    )
    assert sup.plans.get().version == 1


def test_list_page_query_count_does_not_grow_with_rows(users, tree, django_assert_max_num_queries) -> None:
    for _ in range(3):
        make_supervisee(tree.donghu_office)
    client = _client(users["donghu_head"])
    client.get(reverse("corrections:supervisee-list"))  # warm caches (session, content types)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("corrections:supervisee-list"))
    for _ in range(12):
        make_supervisee(tree.donghu_office)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("corrections:supervisee-list"))

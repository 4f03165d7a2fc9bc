"""Revocation pages and API (社区矫正法 Arts 45–49): opening a case from the supervisee page, the case
page's clocks and step forms with field errors, the county's list, the API actions."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from sifa.penal.corrections import services
from sifa.penal.corrections.models import RevocationCase
from sifa.penal.corrections.testing import make_revocation_case, make_revocation_sanction, revocation_payload


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_case_is_opened_from_the_supervisee_page_with_field_errors_first(
    users: dict[str, Any], tree: Any
) -> None:
    sanction = make_revocation_sanction(tree.donghu_office)
    client = _client(users["donghu_staff"])
    page = client.get(
        reverse("corrections:supervisee-detail", args=[sanction.supervisee_id])
    ).content.decode()
    assert 'data-testid="revocation-open"' in page
    url = reverse("corrections:revocation-open", args=[sanction.pk])
    form = client.get(url)
    assert form.status_code == 200 and "南昌市东湖区人民法院" in form.content.decode()  # the court, prefilled
    bad = client.post(
        url,
        {
            "receiving_body_kind": "court",
            "receiving_body": "南昌市东湖区人民法院",
            "procuratorate": "",
            "reasons": "脱管",
        },
    )
    html = bad.content.decode()
    assert 'data-testid="error-evidence"' in html and 'data-testid="error-procuratorate"' in html
    assert not RevocationCase.objects.exists()
    good = client.post(
        url,
        {
            "receiving_body_kind": "court",
            "receiving_body": "南昌市东湖区人民法院",
            "procuratorate": "南昌市东湖区人民检察院",
            "reasons": "脱离监管超过一个月",
            "evidence": "查找记录",
        },
    )
    case = RevocationCase.objects.get()
    assert good.status_code == 302 and good["Location"] == case.get_absolute_url()
    page = client.get(
        reverse("corrections:supervisee-detail", args=[sanction.supervisee_id])
    ).content.decode()
    assert 'data-testid="revocation-case"' in page


def test_art46_send_form_without_the_copy_shows_the_error_under_its_field(
    users: dict[str, Any], tree: Any
) -> None:
    case = make_revocation_case(tree.donghu_office)
    client = _client(users["donghu_staff"])
    url = reverse("corrections:revocation-action", args=[case.pk, "send"])
    today = timezone.localdate().isoformat()
    response = client.post(url, {"send-sent_on": today, "send-procuratorate_copy_on": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="error-procuratorate_copy_on"' in html and "第四十六条" in html
    assert RevocationCase.objects.get(pk=case.pk).state == "drafted"
    response = client.post(url, {"send-sent_on": today, "send-procuratorate_copy_on": today})
    assert response.status_code == 302
    assert RevocationCase.objects.get(pk=case.pk).state == "sent"


def test_art47_case_page_shows_the_48_hour_clock_with_hours_remaining(
    users: dict[str, Any], tree: Any
) -> None:
    staff = users["donghu_staff"]
    case = make_revocation_case(tree.donghu_office)
    yesterday = timezone.localdate() - dt.timedelta(days=1)  # the request two hours ago is after it
    services.send_revocation_proposal(
        acting_user=staff, case=case, sent_on=yesterday, procuratorate_copy_on=yesterday, issue_document=False
    )
    client = _client(staff)
    two_hours_ago = timezone.localtime() - dt.timedelta(hours=2)
    response = client.post(
        reverse("corrections:revocation-action", args=[case.pk, "request_arrest"]),
        {
            "request_arrest-arrest_requested_at": f"{two_hours_ago:%Y-%m-%dT%H:%M}",
            "request_arrest-arrest_reason": "多次脱管，可能逃跑",
        },
    )
    assert response.status_code == 302
    html = client.get(case.get_absolute_url()).content.decode()
    assert 'data-testid="clock-arrest_decision"' in html and "第四十七条" in html
    assert re.search(r"剩余 4[56] 小时", html)  # 48 h less the two since the request
    assert 'data-testid="step-receive"' in html and 'data-testid="step-arrest_decision"' in html
    assert 'data-testid="step-request_arrest"' not in html  # asked once


def test_office_staff_see_the_case_without_step_forms(users: dict[str, Any], tree: Any) -> None:
    case = make_revocation_case(tree.donghu_office)
    html = _client(users["donghu_office_staff"]).get(case.get_absolute_url()).content.decode()
    assert 'data-testid="workflow-panel"' in html and 'data-testid="revocation-steps"' not in html


def test_list_shows_the_countys_open_cases_only(
    users: dict[str, Any], tree: Any, django_assert_max_num_queries: Any
) -> None:
    mine = make_revocation_case(tree.donghu_office)
    other = make_revocation_case(tree.xunyang_office)
    closed = make_revocation_case(tree.donghu_office)
    RevocationCase.objects.filter(pk=closed.pk).update(state="not_revoked")
    client = _client(users["donghu_head"])
    rows = [r["obj"].pk for r in client.get(reverse("corrections:revocation-list")).context["rows"]]
    assert rows == [mine.pk]
    filtered = client.get(reverse("corrections:revocation-list") + "?state=not_revoked").context["rows"]
    assert [r["obj"].pk for r in filtered] == [closed.pk]
    assert other.pk in [
        r["obj"].pk
        for r in _client(users["xunyang_head"]).get(reverse("corrections:revocation-list")).context["rows"]
    ]
    export = client.get(reverse("corrections:revocation-list") + "?export=csv")
    assert export.status_code == 200 and "社区矫正对象" in export.content.decode("utf-8-sig")
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("corrections:revocation-list"))
    for _ in range(6):
        make_revocation_case(tree.donghu_office)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("corrections:revocation-list"))


def test_api_runs_the_procedure_and_names_fields(users: dict[str, Any], tree: Any) -> None:
    api = APIClient()
    api.force_login(users["donghu_staff"])
    created = api.post(
        "/api/corrections/revocation-cases/", revocation_payload(tree.donghu_office), format="json"
    )
    assert created.status_code == 201, created.content
    base = f"/api/corrections/revocation-cases/{created.json()['id']}"
    today = timezone.localdate().isoformat()
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()  # before the arrest request
    refused = api.post(f"{base}/send/", {"sent_on": yesterday}, format="json")
    assert refused.status_code == 400 and "procuratorate_copy_on" in refused.json()["errors"]
    sent = api.post(
        f"{base}/send/", {"sent_on": yesterday, "procuratorate_copy_on": yesterday}, format="json"
    )
    assert sent.status_code == 200 and sent.json()["state"] == "sent"
    assert api.post(f"{base}/receive/", {"received_on": today}, format="json").json()["state"] == "received"
    moment = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    asked = api.post(
        f"{base}/request-arrest/", {"arrest_requested_at": moment, "arrest_reason": "可能逃跑"}, format="json"
    )
    assert asked.status_code == 200 and asked.json()["arrest_requested_at"]
    decided = api.post(
        f"{base}/arrest-decision/",
        {"approve": False, "arrest_decided_at": timezone.now().isoformat()},
        format="json",
    )
    assert decided.json()["arrest_decision"] == "refused"
    bad = api.post(
        f"{base}/ruling/", {"revoked": False, "ruling_on": today, "ruling_number": " "}, format="json"
    )
    assert bad.status_code == 400 and "ruling_number" in bad.json()["errors"]
    ruled = api.post(
        f"{base}/ruling/",
        {"revoked": False, "ruling_on": today, "ruling_number": "（2026）赣0102刑更1号"},
        format="json",
    )
    assert ruled.json()["state"] == "not_revoked"
    outsider = APIClient()
    outsider.force_login(users["xunyang_head"])
    assert outsider.get(base + "/").status_code == 404
    assert (
        outsider.post(
            f"{base}/hand-over/", {"handed_over_on": today, "handed_over_to": "x"}, format="json"
        ).status_code
        == 404
    )

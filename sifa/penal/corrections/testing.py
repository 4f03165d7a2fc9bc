"""Test helpers and the scoping-matrix cases for every corrections endpoint."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from sifa.platform.orgs.models import Division
from sifa.platform.people.testing import make_person, new_id_number
from sifa.platform.testing.matrix import MatrixCase

from .models import (
    ApprovalStatus,
    LeaveApplication,
    MonitoringOrder,
    RevocationCase,
    Sanction,
    Supervisee,
    SuperviseeStatus,
)


def make_supervisee(org: Any, owner: Any = None, **extra: Any) -> Supervisee:
    """An under-supervision supervisee at ``org`` (residence: the org's county), made directly."""
    today = timezone.localdate()
    person = make_person(org, owner)
    values: dict[str, Any] = {
        "person": person,
        "org": org,
        "name": person.name,
        "sex": person.sex,
        "correction_type": "probation",
        "deciding_organ": "南昌市东湖区人民法院",
        "crime": "危险驾驶罪",
        "sentence": "拘役三个月，缓刑六个月",
        "judgment_date": today - dt.timedelta(days=40),
        "effective_date": today - dt.timedelta(days=30),
        "notice_received_on": today - dt.timedelta(days=29),
        "period_start": today - dt.timedelta(days=30),
        "period_end": today + dt.timedelta(days=300),
        "state": SuperviseeStatus.UNDER_SUPERVISION,
        "identity_verified": True,
        "residence_division": Division.objects.get(pk=org.division_id),
        "report_due": today - dt.timedelta(days=20),
    }
    values.update(extra)
    return Supervisee.objects.create(**values)


def make_leave(org: Any, owner: Any = None) -> LeaveApplication:
    supervisee = make_supervisee(org, owner)
    today = timezone.localdate()
    return LeaveApplication.objects.create(
        supervisee=supervisee,
        destination="上海市",
        reason="探亲",
        start_date=today + dt.timedelta(days=5),
        end_date=today + dt.timedelta(days=7),
        days=3,
        days_in_window=3,
        tier="office",
        applied_on=today,
    )


def make_order(org: Any, owner: Any = None) -> MonitoringOrder:
    supervisee = make_supervisee(org, owner)
    today = timezone.localdate()
    return MonitoringOrder.objects.create(
        supervisee=supervisee,
        ground="left_area",
        ground_detail="未经批准离开所居住的县",
        start_date=today,
        end_date=today + dt.timedelta(days=60),
        status=ApprovalStatus.APPROVED,
    )


def supervisee_payload(org: Any) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "org": org.pk,
        "name": "赵六",
        "id_number": new_id_number(),
        "correction_type": "probation",
        "deciding_organ": "南昌市东湖区人民法院",
        "crime": "盗窃罪",
        "sentence": "有期徒刑一年，缓刑一年",
        "judgment_date": (today - dt.timedelta(days=5)).isoformat(),
        "effective_date": (today - dt.timedelta(days=2)).isoformat(),
        "period_start": (today - dt.timedelta(days=2)).isoformat(),
        "period_end": (today + dt.timedelta(days=363)).isoformat(),
        "residence_division": org.division_id,
    }


def make_revocation_sanction(org: Any, owner: Any = None, **extra: Any) -> Sanction:
    """A decided revocation proposal (Art 28) for a new supervisee at ``org``, made directly."""
    return Sanction.objects.create(
        supervisee=make_supervisee(org, owner, **extra),
        kind="revocation_proposal",
        reason="脱离监管超过一个月，经查找到案",
        status="decided",
        decided_at=timezone.now() - dt.timedelta(days=2),
    )


def make_revocation_case(org: Any, owner: Any = None) -> RevocationCase:
    """An open revocation case (not yet sent) at ``org``, made directly."""
    from .services.common import county_bureau_of

    sanction = make_revocation_sanction(org, owner)
    return RevocationCase.objects.create(
        supervisee=sanction.supervisee,
        sanction=sanction,
        agency=county_bureau_of(org) or org,
        receiving_body="南昌市东湖区人民法院",
        procuratorate="南昌市东湖区人民检察院",
        reasons=sanction.reason,
        evidence="查找记录、通话记录",
    )


def revocation_payload(org: Any) -> dict[str, Any]:
    return {
        "sanction": make_revocation_sanction(org).pk,
        "procuratorate": "南昌市东湖区人民检察院",
        "evidence": "查找记录、通话记录、训诫及警告决定书",
    }


MATRIX = {
    "corrections.Supervisee": MatrixCase(make=make_supervisee, payload=supervisee_payload),
    "corrections.LeaveApplication": MatrixCase(make=make_leave),
    "corrections.MonitoringOrder": MatrixCase(make=make_order),
    "corrections.RevocationCase": MatrixCase(make=make_revocation_case, payload=revocation_payload),
}

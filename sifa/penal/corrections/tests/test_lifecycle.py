"""Intake to release: the reporting clock (Arts 20–22), search (Art 30), release (Art 44), end (Art 45)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from sifa.penal.corrections import services
from sifa.penal.corrections.models import (
    CheckIn,
    Search,
    SearchStatus,
    Supervisee,
    SuperviseeEvent,
    SuperviseeStatus,
    TeamRole,
)
from sifa.penal.corrections.tasks import flag_unreported_supervisees
from sifa.penal.corrections.testing import make_supervisee
from sifa.penal.corrections.workflows import SUPERVISEE
from sifa.platform.audit.models import ChangeLog
from sifa.platform.calendar import compute_deadline
from sifa.platform.orgs.models import Division
from sifa.platform.people.testing import new_id_number
from sifa.platform.workflow.models import StatutoryClock, Task, TransitionLog


def notice(user: Any, org: Any, **extra: Any) -> Supervisee:
    today = timezone.localdate()
    values: dict[str, Any] = {
        "acting_user": user,
        "org": org,
        "name": "王五",
        "id_number": new_id_number(),
        "correction_type": "probation",
        "deciding_organ": "南昌市东湖区人民法院",
        "crime": "盗窃罪",
        "sentence": "有期徒刑一年，缓刑一年",
        "judgment_date": today - dt.timedelta(days=6),
        "effective_date": today - dt.timedelta(days=3),
        "period_start": today - dt.timedelta(days=3),
        "period_end": today + dt.timedelta(days=362),
        "residence_division": Division.objects.get(pk="360102"),
    }
    values.update(extra)
    return services.receive_notice(**values)


def test_art21_reporting_clock_is_ten_natural_days_from_effect(users, tree) -> None:
    sup = notice(users["donghu_office_staff"], tree.donghu_office)
    expected = compute_deadline(sup.effective_date, 10, "days").due
    assert sup.report_due == expected and sup.state == SuperviseeStatus.NOTIFIED
    assert sup.person.id_number_masked != "" and not sup.is_juvenile
    event = SuperviseeEvent.objects.get(supervisee=sup, code="notice_received")
    assert "第二十条" in event.article
    task = Task.objects.get(object_id=str(sup.pk), status="open")
    assert task.due_date == expected and task.org == tree.donghu_office


def test_reporting_clock_length_is_configurable(users, tree, settings) -> None:
    settings.SIFA_CORRECTIONS_RULES = {"report_days": 5}
    sup = notice(users["donghu_office_staff"], tree.donghu_office)
    assert sup.report_due == compute_deadline(sup.effective_date, 5, "days").due


def test_bad_intake_names_each_field_and_stores_nothing(users, tree) -> None:
    before = (Supervisee.objects.count(), ChangeLog.objects.count())
    today = timezone.localdate()
    with pytest.raises(ValidationError) as err:
        notice(
            users["donghu_office_staff"],
            tree.donghu_office,
            id_number="110105194912310021",
            crime="",
            period_end=today - dt.timedelta(days=100),
            supervision_level="nonsense",
            residence_division=Division.objects.get(pk="360100"),
        )
    fields = set(err.value.message_dict)
    assert {"id_number", "crime", "period_end", "supervision_level", "residence_division"} <= fields
    assert (Supervisee.objects.count(), ChangeLog.objects.count()) == before


def test_full_lifecycle_report_register_release_with_certificate(users, tree, monkeypatch) -> None:
    staff = users["donghu_office_staff"]
    sup = notice(staff, tree.donghu_office)
    sup = services.record_report(acting_user=staff, supervisee=sup, identity_verified=True)
    assert sup.state == SuperviseeStatus.REPORTED
    open_tasks = Task.objects.filter(object_id=str(sup.pk), status="open")
    assert list(open_tasks.values_list("opened_in_state", flat=True)) == ["reported"]  # 登记 is next
    clock = StatutoryClock.objects.get(object_id=str(sup.pk), name="report")
    assert clock.stopped_on == timezone.localdate()
    sup = services.register_supervisee(acting_user=staff, supervisee=sup, file_number="DH-2026-001")
    assert sup.state == SuperviseeStatus.UNDER_SUPERVISION and sup.registered_on == timezone.localdate()
    assert CheckIn.objects.filter(supervisee=sup, status="open").count() == 3

    with pytest.raises(ValidationError) as err:  # Art 44: not before the period is over
        services.release_supervisee(acting_user=users["donghu_staff"], supervisee=sup)
    assert "尚未届满" in err.value.message_dict["state"][0]

    Supervisee.objects.filter(pk=sup.pk).update(period_end=timezone.localdate() - dt.timedelta(days=1))
    captured: dict[str, Any] = {}

    def fake_render(**kwargs: Any) -> None:
        captured.update(kwargs)
        return None

    monkeypatch.setattr("sifa.platform.documents.services.render_document", fake_render)
    sup = services.release_supervisee(acting_user=users["donghu_staff"], supervisee=sup.pk)
    assert sup.state == SuperviseeStatus.RELEASED and sup.archive_number.startswith("360102-")
    assert captured["template_code"] == "corrections.release_certificate"
    assert captured["context"]["supervisee_name"] == sup.name and len(captured["context"]["id_number"]) == 18
    assert not CheckIn.objects.filter(supervisee=sup, status="open").exists()
    codes = list(SuperviseeEvent.objects.filter(supervisee=sup).values_list("code", flat=True))
    assert codes == ["notice_received", "report", "register", "release", "archived"]
    history = TransitionLog.objects.filter(object_id=str(sup.pk)).order_by("time", "id")
    assert [(h.transition, h.article) for h in history] == [
        ("start", ""),
        ("report", "《社区矫正法》第二十一条"),
        ("register", "《社区矫正法》第二十二条"),
        ("release", "《社区矫正法》第四十四条"),
    ]
    assert not Task.objects.filter(object_id=str(sup.pk), status="open").exists()


def test_lifecycle_states_match_the_declared_workflow() -> None:
    assert dict(SUPERVISEE.states) == {k: str(v) for k, v in SuperviseeStatus.choices}


def test_register_requires_identity_check(users, tree) -> None:
    staff = users["donghu_office_staff"]
    sup = services.record_report(acting_user=staff, supervisee=notice(staff, tree.donghu_office))
    with pytest.raises(ValidationError) as err:
        services.register_supervisee(acting_user=staff, supervisee=sup, file_number="X1")
    assert "核实身份" in err.value.message_dict["state"][0]
    assert Supervisee.objects.get(pk=sup.pk).state == SuperviseeStatus.REPORTED


def test_art30_unreported_after_due_date_gets_a_search_from_the_periodic_job(users, tree) -> None:
    staff = users["donghu_office_staff"]
    sup = notice(staff, tree.donghu_office)
    assert flag_unreported_supervisees(as_of=sup.report_due.isoformat()) == 0  # due today: not yet late
    after = (sup.report_due + dt.timedelta(days=1)).isoformat()
    assert flag_unreported_supervisees(as_of=after) == 1
    assert flag_unreported_supervisees(as_of=after) == 0  # idempotent
    sup.refresh_from_db()
    assert sup.state == SuperviseeStatus.MISSING
    search = Search.objects.get(supervisee=sup)
    assert search.status == SearchStatus.OPEN
    tasks = Task.objects.filter(object_id=str(sup.pk), content_type__model="supervisee", status="open")
    assert list(tasks.values_list("opened_in_state", flat=True)) == ["missing"]
    event = SuperviseeEvent.objects.get(supervisee=sup, code="mark_missing")
    assert "第三十条" in event.article
    sup = services.record_report(acting_user=staff, supervisee=sup, identity_verified=True)
    assert Search.objects.get(pk=search.pk).status == SearchStatus.FOUND


def test_art45_termination_needs_a_listed_reason(users, tree) -> None:
    sup = make_supervisee(tree.donghu_office)
    with pytest.raises(ValidationError):
        services.terminate_supervisee(acting_user=users["donghu_staff"], supervisee=sup, reason="bored")
    sup = services.terminate_supervisee(acting_user=users["donghu_staff"], supervisee=sup, reason="death")
    assert sup.state == SuperviseeStatus.TERMINATED and sup.archived_at is not None


def test_other_jurisdiction_cannot_act_and_nothing_changes(users, tree) -> None:
    sup = make_supervisee(tree.donghu_office, state=SuperviseeStatus.NOTIFIED)
    before = (ChangeLog.objects.count(), SuperviseeEvent.objects.count())
    with pytest.raises(Http404):
        services.record_report(acting_user=users["xunyang_staff"], supervisee=sup)
    with pytest.raises(Http404):  # a citizen sees no supervisee: missing and forbidden look alike
        services.record_report(acting_user=users["citizen_a"], supervisee=sup)
    with pytest.raises(PermissionDenied):  # in scope, but office staff may not end a correction
        services.terminate_supervisee(
            acting_user=users["donghu_office_staff"], supervisee=sup, reason="death"
        )
    assert Supervisee.objects.get(pk=sup.pk).state == SuperviseeStatus.NOTIFIED
    assert (ChangeLog.objects.count(), SuperviseeEvent.objects.count()) == before


def test_art25_female_supervisee_team_needs_a_woman(users, tree) -> None:
    sup = make_supervisee(tree.donghu_office)  # the test person is female
    men = [{"name": "李强", "role": TeamRole.OFFICE, "sex": "male"}]
    with pytest.raises(ValidationError) as err:
        services.set_correction_team(acting_user=users["donghu_office_staff"], supervisee=sup, members=men)
    assert "第二十五条" in err.value.message_dict["members"][0]
    team = services.set_correction_team(
        acting_user=users["donghu_office_staff"],
        supervisee=sup,
        members=[*men, {"name": "刘芳", "role": TeamRole.SOCIAL_WORKER, "sex": "female"}],
    )
    assert len(team) == 2


def test_completing_a_check_in_schedules_the_next_by_level(users, tree) -> None:
    staff = users["donghu_office_staff"]
    sup = make_supervisee(tree.donghu_office, supervision_level="strict")
    check = CheckIn.objects.create(supervisee=sup, kind="report", due_date=timezone.localdate())
    with pytest.raises(ValidationError) as err:
        services.complete_check_in(acting_user=staff, check_in=check, note="")
    assert "note" in err.value.message_dict
    services.complete_check_in(acting_user=staff, check_in=check, note="本人到所报告近期情况")
    following = CheckIn.objects.get(supervisee=sup, status="open")
    assert following.due_date == timezone.localdate() + dt.timedelta(days=7)  # 严管: weekly [S]


def test_a_record_loaded_without_its_clock_can_still_report(users, tree) -> None:
    """Bulk-loaded/imported records have no persisted 报到期限 clock; reporting starts and stops it."""
    sup = make_supervisee(tree.donghu_office, state=SuperviseeStatus.NOTIFIED, identity_verified=False)
    sup = services.record_report(
        acting_user=users["donghu_office_staff"], supervisee=sup, identity_verified=True
    )
    assert sup.state == SuperviseeStatus.REPORTED
    assert StatutoryClock.objects.get(object_id=str(sup.pk), name="report").stopped_on is not None


def test_art44_release_issues_a_numbered_certificate_with_the_id_masked(users, tree) -> None:
    """The real documents app: a 解除社区矫正证明书 rendered to PDF/DOCX, numbered, ID printed masked."""
    from sifa.platform.audit.models import PersonalDataAccess

    sup = make_supervisee(tree.donghu_office, period_end=timezone.localdate() - dt.timedelta(days=1))
    sup = services.release_supervisee(acting_user=users["donghu_staff"], supervisee=sup)
    document = sup.certificate
    assert document is not None and document.template.code == "corrections.release_certificate"
    assert document.pdf is not None and document.pdf.size > 0
    assert document.context["id_number"] == sup.person.id_number_masked
    assert PersonalDataAccess.objects.filter(object_id=str(sup.person_id), field="id_number").exists()

"""Intake and lifecycle: the notice, the reporting clock, report, registration, search, end."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sifa.platform.audit.models import ChangeAction
from sifa.platform.audit.services import record_change, snapshot
from sifa.platform.calendar import compute_deadline
from sifa.platform.orgs.models import Division, DivisionLevel, Org, OrgKind
from sifa.platform.orgs.scoping import ensure_in_scope
from sifa.platform.people.models import Person
from sifa.platform.people.protection import id_number_index, problem_message
from sifa.platform.people.services import mark_restricted, register_person
from sifa.platform.personal import ValidationProblem, validate_id_number
from sifa.platform.workflow.services.clocks import open_clock, start_clock
from sifa.platform.workflow.services.inbox import close_tasks
from sifa.platform.workflow.services.inbox import open_task as workflow_open_task
from sifa.platform.workflow.services.transitions import start_workflow
from sifa.platform.workflow.services.transitions import transition as workflow_transition

from ..config import current_rules
from ..models import (
    CorrectionType,
    DecidingOrganKind,
    Search,
    SearchStatus,
    Supervisee,
    SuperviseeStatus,
    TerminationReason,
    may_view_juvenile,
)
from ..workflows import SUPERVISEE
from . import inbox
from .common import add_event, locked, require_perm

SUPERVISING_KINDS = (OrgKind.JUSTICE_OFFICE, OrgKind.JUSTICE_BUREAU, OrgKind.CORRECTIONS_CENTER)


def report_deadline(effective_date: dt.date) -> tuple[dt.date, bool]:
    """Due date of the intake report: N days after the judgment takes effect (Arts 20–22)."""
    rules = current_rules()
    deadline = compute_deadline(effective_date, rules.report_days, rules.report_unit)
    return deadline.due, deadline.provisional


def _clean_intake(data: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    rules = current_rules()
    for name, label in (
        ("deciding_organ", _("决定机关")),
        ("crime", _("罪名")),
        ("sentence", _("刑罚")),
    ):
        if not str(data.get(name) or "").strip():
            errors[name] = _("请填写%(label)s。") % {"label": label}
    if data.get("correction_type") not in CorrectionType.values:
        errors["correction_type"] = _("请选择矫正类别。")
    if data.get("deciding_organ_kind") not in DecidingOrganKind.values:
        errors["deciding_organ_kind"] = _("请选择决定机关类型。")
    if data.get("supervision_level") not in rules.level_codes:
        errors["supervision_level"] = _("管理等级无效。")
    dates = {k: data.get(k) for k in ("judgment_date", "effective_date", "period_start", "period_end")}
    for name, value in dates.items():
        if not isinstance(value, dt.date):
            errors[name] = _("请填写有效日期。")
    if "effective_date" not in errors and dates["effective_date"] > timezone.localdate():  # type: ignore[operator]
        # Art 20 notices follow the judgment taking effect; the reporting clock starts on that day.
        errors["effective_date"] = _("生效日期不能晚于今天。")
    both = "effective_date" not in errors and "judgment_date" not in errors
    if both and dates["effective_date"] < dates["judgment_date"]:  # type: ignore[operator]
        errors["effective_date"] = _("生效日期不能早于判决日期。")
    both = "period_start" not in errors and "period_end" not in errors
    if both and dates["period_end"] < dates["period_start"]:  # type: ignore[operator]
        errors["period_end"] = _("矫正期限届满日不能早于起始日。")
    division = data.get("residence_division")
    if not isinstance(division, Division) or division.level != DivisionLevel.COUNTY:
        errors["residence_division"] = _("执行地须为区县级行政区划。")
    org = data.get("org")
    if not isinstance(org, Org) or org.kind not in SUPERVISING_KINDS:
        errors["org"] = _("负责机构须为司法所、司法局或社区矫正中心。")
    return errors


def receive_notice(
    *,
    acting_user: Any,
    org: Org,
    name: str,
    id_number: str,
    correction_type: str,
    deciding_organ: str,
    crime: str,
    sentence: str,
    judgment_date: dt.date,
    effective_date: dt.date,
    period_start: dt.date,
    period_end: dt.date,
    residence_division: Division,
    deciding_organ_kind: str = DecidingOrganKind.COURT,
    judgment_number: str = "",
    notice_received_on: dt.date | None = None,
    supervision_level: str = "ordinary",
    residence_address: str = "",
    phone: str = "",
    is_juvenile: bool | None = None,
    files: Sequence[Any] = (),
) -> Supervisee:
    """Record the deciding organ's notice (Art 20) and start the reporting clock (Arts 21–22).

    The person is found by ID number in ``org`` or registered (ID validated and encrypted); juvenile
    status follows from the birth date on the day the judgment takes effect unless given. Errors name
    their field; nothing is stored unless everything is valid (attachments included).
    """
    require_perm(acting_user, "corrections.add_supervisee")
    data = {
        "org": org,
        "correction_type": correction_type,
        "deciding_organ": deciding_organ,
        "deciding_organ_kind": deciding_organ_kind,
        "crime": crime,
        "sentence": sentence,
        "judgment_date": judgment_date,
        "effective_date": effective_date,
        "period_start": period_start,
        "period_end": period_end,
        "supervision_level": supervision_level,
        "residence_division": residence_division,
    }
    errors = _clean_intake(data)
    parsed = None
    try:
        parsed = validate_id_number(id_number)
    except ValidationProblem as problem:
        errors["id_number"] = problem_message(problem)
    if not (name or "").strip():
        errors["name"] = _("请填写姓名。")
    if errors:
        raise ValidationError(errors)
    assert parsed is not None
    if is_juvenile is None:
        is_juvenile = parsed.age_on(effective_date) < 18
    if is_juvenile and not may_view_juvenile(acting_user):
        # Arts 52–58: a role that may not see juvenile records may not create one either.
        raise ValidationError({"is_juvenile": _("您无权办理未成年社区矫正对象。")})
    due, provisional = report_deadline(effective_date)
    today = timezone.localdate()
    with transaction.atomic():
        person = Person.objects.filter(org=org, id_number_index=id_number_index(parsed.value)).first()
        if person is None:
            person = register_person(
                acting_user=acting_user,
                org=org,
                name=name,
                id_number=parsed.value,
                phone=phone,
                address=residence_address,
            )
        if is_juvenile:
            person = mark_restricted(
                acting_user=acting_user, person=person, reason="社区矫正法第五十二条：未成年社区矫正对象"
            )
        if Supervisee.objects.filter(person=person, state__in=SuperviseeStatus.active()).exists():
            raise ValidationError({"id_number": _("该人员已在社区矫正中。")})
        supervisee = Supervisee(
            person=person,
            org=org,
            name=person.name,
            sex=person.sex,
            correction_type=correction_type,
            deciding_organ=deciding_organ.strip()[:128],
            deciding_organ_kind=deciding_organ_kind,
            judgment_number=(judgment_number or "").strip()[:100],
            crime=crime.strip()[:100],
            sentence=sentence.strip()[:200],
            judgment_date=judgment_date,
            effective_date=effective_date,
            notice_received_on=notice_received_on or today,
            period_start=period_start,
            period_end=period_end,
            supervision_level=supervision_level,
            is_juvenile=is_juvenile,
            residence_division=residence_division,
            residence_address=(residence_address or "").strip()[:255],
            report_due=due,
            report_due_provisional=provisional,
        )
        try:
            with transaction.atomic():
                supervisee.save()
        except IntegrityError:
            raise ValidationError({"period_end": _("矫正期限无效。")}) from None
        ensure_in_scope(acting_user, supervisee, "add")
        record_change(actor=acting_user, obj=supervisee, action=ChangeAction.CREATE)
        add_event(
            supervisee,
            code="notice_received",
            label=_("收到法律文书，报到期限至 %(due)s") % {"due": due.isoformat()},
            article="《社区矫正法》第二十条",
            actor=acting_user,
            to_state=supervisee.state,
            data={"report_due": due.isoformat(), "provisional": provisional},
        )
        for upload in files:
            attach_file(acting_user=acting_user, supervisee=supervisee, uploaded_file=upload)
        start_report_clock(supervisee, acting_user)
        start_workflow(supervisee, acting_user=acting_user, on=supervisee.notice_received_on)
    return supervisee


def start_report_clock(supervisee: Supervisee, actor: Any) -> None:
    """The persisted 报到期限 clock (platform workflow), with the configured length and unit; the
    supervisee's ``report_due`` is the clock's due date, so the page and the inbox agree."""
    rules = current_rules()
    spec = SUPERVISEE.clocks["report"]
    clock = start_clock(
        acting_user=actor,
        obj=supervisee,
        name=spec.name,
        label=spec.label,
        article=spec.article,
        unit=rules.report_unit,
        length=rules.report_days,
        start=supervisee.effective_date,
    )
    if clock.due_date != supervisee.report_due:  # both come from the same calendar; keep one truth
        supervisee.report_due = clock.due_date
        supervisee.save(update_fields=["report_due"])


def attach_file(*, acting_user: Any, supervisee: Supervisee, uploaded_file: Any) -> Any:
    """Store a document from the deciding organ (判决书, 执行通知书…) as an attachment of the case."""
    from sifa.platform.documents.services import store_attachment

    return store_attachment(
        acting_user=acting_user,
        org=supervisee.org,
        uploaded_file=uploaded_file,
        related=supervisee,
        contains_personal_data=True,
    )


def transition_supervisee(
    *,
    acting_user: Any,
    supervisee: Supervisee | int,
    name: str,
    note: str = "",
    updates: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
    on: dt.date | None = None,
) -> Supervisee:
    """Run transition ``name`` of the declared lifecycle (platform ``workflow.services.transition``).

    The step's own fields (``updates``) are saved first, in the same transaction, so the guard sees
    them; any refusal rolls everything back: out of scope → 404; missing permission →
    PermissionDenied; wrong state or failed guard → ValidationError on ``state``.
    """
    transition = SUPERVISEE.get(name)
    pk = supervisee.pk if isinstance(supervisee, Supervisee) else supervisee
    with transaction.atomic():
        row: Supervisee = locked(acting_user, Supervisee, pk, "view")
        if not acting_user.has_perm(transition.permission):
            raise PermissionDenied(_("您没有执行“%(label)s”的权限。") % {"label": transition.label})
        from_state = row.state
        if updates:
            before = snapshot(row)
            for field, value in updates.items():
                setattr(row, field, value)
            row.save(update_fields=[*updates, "updated_at"])
            record_change(actor=acting_user, obj=row, action=ChangeAction.UPDATE, before=before, note=name)
        workflow_transition(row, name, acting_user=acting_user, note=note, on=on, **(data or {}))
        row.refresh_from_db()
        add_event(
            row,
            code=name,
            label=transition.label,
            article=transition.article,
            actor=acting_user,
            note=note,
            from_state=from_state,
            to_state=row.state,
            data=data,
        )
    return row


def record_report(
    *,
    acting_user: Any,
    supervisee: Supervisee | int,
    reported_on: dt.date | None = None,
    identity_verified: bool = False,
    note: str = "",
) -> Supervisee:
    """The supervisee reported in person (Art 21); the identity check may be recorded at once."""
    reported_on = reported_on or timezone.localdate()
    if reported_on > timezone.localdate():
        raise ValidationError({"reported_on": _("报到日期不能晚于今天。")})
    pk = supervisee.pk if isinstance(supervisee, Supervisee) else supervisee
    with transaction.atomic():
        current: Supervisee = locked(acting_user, Supervisee, pk, "view")
        if current.state in SUPERVISEE.get("report").sources and open_clock(current, "report") is None:
            # A record that came in without its clock (imported, bulk-loaded): start it now, from the
            # day the judgment took effect, so the report stops a clock like every other.
            start_report_clock(current, acting_user)
        row = transition_supervisee(
            acting_user=acting_user,
            supervisee=supervisee,
            name="report",
            note=note,
            updates={"reported_on": reported_on, "identity_verified": identity_verified},
            data={"reported_on": reported_on.isoformat(), "late": reported_on > _due(supervisee)},
            on=reported_on,
        )
        _close_searches(row, outcome=_("已报到"), actor=acting_user)
    return row


def _due(supervisee: Supervisee | int) -> dt.date:
    if isinstance(supervisee, Supervisee):
        return supervisee.report_due
    return Supervisee.objects.values_list("report_due", flat=True).get(pk=supervisee)


def register_supervisee(
    *,
    acting_user: Any,
    supervisee: Supervisee | int,
    file_number: str,
    announced_on: dt.date | None = None,
    identity_verified: bool | None = None,
    note: str = "",
) -> Supervisee:
    """Identity checked → register, open the file and announce the terms (Art 22); supervision
    starts and the first check-ins are scheduled."""
    from .supervision import schedule_initial_check_ins

    file_number = (file_number or "").strip()
    if not file_number:
        raise ValidationError({"file_number": _("请填写档案编号。")})
    today = timezone.localdate()
    updates: dict[str, Any] = {
        "file_number": file_number[:64],
        "registered_on": today,
        "announced_on": announced_on or today,
    }
    if identity_verified is not None:
        updates["identity_verified"] = identity_verified
    with transaction.atomic():
        row = transition_supervisee(
            acting_user=acting_user, supervisee=supervisee, name="register", note=note, updates=updates
        )
        schedule_initial_check_ins(row, acting_user=acting_user)
    return row


def mark_missing(*, acting_user: Any, supervisee: Supervisee | int, reason: str) -> Supervisee:
    """Not reported by the due date, or out of contact: open a search at once (Art 30)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写原因。")})
    with transaction.atomic():
        row = transition_supervisee(
            acting_user=acting_user, supervisee=supervisee, name="mark_missing", note=reason
        )
        _open_search(row, reason=reason, actor=acting_user)
    return row


def _open_search(row: Supervisee, *, reason: str, actor: Any) -> Search:
    search, created = Search.objects.get_or_create(
        supervisee=row,
        status=SearchStatus.OPEN,
        defaults={
            "reason": reason[:200],
            "opened_on": timezone.localdate(),
            "opened_by": actor if getattr(actor, "pk", None) else None,
        },
    )
    if created:  # its inbox task is the lifecycle's "missing" state task (workflows.SUPERVISEE)
        record_change(actor=actor, obj=search, action=ChangeAction.CREATE)
    return search


def _close_searches(row: Supervisee, *, outcome: str, actor: Any) -> None:
    for search in Search.objects.filter(supervisee=row, status=SearchStatus.OPEN):
        before = snapshot(search)
        search.status, search.closed_on, search.outcome = (
            SearchStatus.FOUND,
            timezone.localdate(),
            outcome[:500],
        )
        search.save()
        record_change(actor=actor, obj=search, action=ChangeAction.UPDATE, before=before)


def record_found(*, acting_user: Any, supervisee: Supervisee | int, outcome: str) -> Supervisee:
    """The search ended: the supervisee is back under supervision (Art 30)."""
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": _("请填写查找结果。")})
    with transaction.atomic():
        row = transition_supervisee(
            acting_user=acting_user, supervisee=supervisee, name="found", note=outcome
        )
        _close_searches(row, outcome=outcome, actor=acting_user)
    return row


def flag_unreported(*, as_of: dt.date | None = None, actor: Any = None) -> int:
    """The periodic job: every supervisee still waiting to report after the due date goes missing and
    gets a search (Art 30). Idempotent: a second run finds nobody new."""
    as_of = as_of or timezone.localdate()
    count = 0
    overdue = Supervisee.objects.filter(state=SuperviseeStatus.NOTIFIED, report_due__lt=as_of)
    for pk in overdue.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            row = Supervisee.objects.select_for_update().get(pk=pk)
            if row.state != SuperviseeStatus.NOTIFIED:
                continue
            before = snapshot(row)
            row.state = SuperviseeStatus.MISSING
            row.save(update_fields=["state", "updated_at"])
            record_change(
                actor=actor, obj=row, action=ChangeAction.TRANSITION, before=before, note="mark_missing (job)"
            )
            reason = _("逾期未报到（报到期限 %(due)s）") % {"due": row.report_due.isoformat()}
            add_event(
                row,
                code="mark_missing",
                label=SUPERVISEE.get("mark_missing").label,
                article=SUPERVISEE.get("mark_missing").article,
                actor=actor,
                note=reason,
                from_state=SuperviseeStatus.NOTIFIED,
                to_state=row.state,
            )
            _open_search(row, reason=reason, actor=actor)
            # What the transition service does for a user-driven transition: close the state's task,
            # open the next state's task. (No TransitionLog row: it requires a human actor.)
            close_tasks(acting_user=actor, obj=row, state=SuperviseeStatus.NOTIFIED, status="cancelled")
            spec = SUPERVISEE.tasks[SuperviseeStatus.MISSING]
            workflow_open_task(
                acting_user=actor,
                title=f"{spec.title}：{row}",
                obj=row,
                assignee_role=spec.role,
                due_date=as_of,
                opened_in_state=SuperviseeStatus.MISSING,
            )
            count += 1
    return count


def release_supervisee(
    *, acting_user: Any, supervisee: Supervisee | int, note: str = "", issue_certificate: bool = True
) -> Supervisee:
    """The period is over: release (Art 44), issue the 解除社区矫正证明书 and archive the file."""
    today = timezone.localdate()
    with transaction.atomic():
        row = transition_supervisee(
            acting_user=acting_user,
            supervisee=supervisee,
            name="release",
            note=note,
            updates={"ended_on": today},
        )
        if issue_certificate:
            row.certificate = _release_certificate(row, acting_user)
        _archive(row, acting_user)
        _close_open_work(row)
    return row


def terminate_supervisee(
    *,
    acting_user: Any,
    supervisee: Supervisee | int,
    reason: str,
    note: str = "",
    ended_on: dt.date | None = None,
) -> Supervisee:
    """Termination on revocation, committal or death (Art 45); the file is archived. ``ended_on``:
    the day corrections ended (e.g. the revoking ruling's date), default today."""
    if reason not in TerminationReason.values:
        raise ValidationError({"reason": _("请选择终止原因。")})
    ended_on = ended_on or timezone.localdate()
    with transaction.atomic():
        row = transition_supervisee(
            acting_user=acting_user,
            supervisee=supervisee,
            name="terminate",
            note=note,
            updates={"ended_on": ended_on, "termination_reason": reason},
            on=ended_on,
        )
        _archive(row, acting_user)
        _close_open_work(row)
    return row


def _archive(row: Supervisee, actor: Any) -> None:
    row.archived_at = timezone.now()
    row.archive_number = f"{row.residence_division_id}-{row.ended_on:%Y}-{row.pk:06d}"
    row.save(update_fields=["archived_at", "archive_number", "certificate", "updated_at"])
    add_event(row, code="archived", label=_("归档"), actor=actor, data={"archive_number": row.archive_number})


def _close_open_work(row: Supervisee) -> None:
    from ..models import CheckIn, CheckInStatus

    CheckIn.objects.filter(supervisee=row, status=CheckInStatus.OPEN).update(status=CheckInStatus.CANCELLED)
    inbox.close_all(row)


def _release_certificate(row: Supervisee, actor: Any) -> Any:
    """Render the certificate through the documents app; the clear ID number is read with an audited
    reveal (the document service prints it masked)."""
    from sifa.platform.audit.services import record_personal_access
    from sifa.platform.documents.services import render_document
    from sifa.platform.people.protection import reveal

    person = row.person
    record_personal_access(actor=actor, obj=person, field="id_number", purpose="解除社区矫正证明书")
    return render_document(
        acting_user=actor,
        org=row.org,
        template_code="corrections.release_certificate",
        related=row,
        context={
            "supervisee_name": row.name,
            "gender": "男" if row.sex == "male" else "女",
            "id_number": reveal(person.id_number_token, context="id_number"),
            "crime": row.crime,
            "court": row.deciding_organ,
            "judgment_number": row.judgment_number,
            "sentence": row.sentence,
            "correction_kind": row.get_correction_type_display(),
            "period_start": row.period_start.isoformat(),
            "period_end": row.period_end.isoformat(),
        },
    )

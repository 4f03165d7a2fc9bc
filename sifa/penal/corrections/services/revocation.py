"""The revocation procedure after a decided revocation proposal (社区矫正法 Arts 45–49).

Each step saves its own fields and runs its transition of ``workflows.REVOCATION`` in one
transaction (like ``transition_supervisee``): the platform's ``transition`` locks the row, checks
scope, permission, state and guard, writes the history and audit rows, applies the declared clock
effects (30-day ruling clock, 48-hour arrest clock, 30-day custody clock) and moves the inbox
tasks. A refusal — a field error named in Chinese, 404 out of scope, PermissionDenied — rolls
everything back. A revoking ruling ends community corrections through the supervisee's own
``terminate`` transition (Art 45); every step is also written on the supervisee's timeline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sifa.platform.accounts.roles import Role
from sifa.platform.audit.models import ChangeAction
from sifa.platform.audit.services import record_change, snapshot
from sifa.platform.orgs.scoping import ensure_in_scope
from sifa.platform.workflow.machine import Transition
from sifa.platform.workflow.services.clocks import open_clock
from sifa.platform.workflow.services.inbox import close_tasks
from sifa.platform.workflow.services.inbox import open_task as workflow_open_task
from sifa.platform.workflow.services.transitions import start_workflow
from sifa.platform.workflow.services.transitions import transition as workflow_transition

from ..models import (
    ArrestDecision,
    CorrectionType,
    DecidingOrganKind,
    RevocationCase,
    RevocationRuling,
    Sanction,
    SanctionKindChoices,
    SanctionStatus,
    Supervisee,
    TerminationReason,
)
from ..workflows import ART_48, REVOCATION
from .common import add_event, county_bureau_of, locked, require_perm
from .intake import terminate_supervisee

# Inbox keys of the tasks the arrest steps open beside the state tasks (the arrest runs alongside
# the proposal's states, so its tasks are not state tasks); equal to the clocks' names.
ARREST_TASK, CUSTODY_TASK = "arrest_decision", "custody"


def _pk(obj: Any) -> Any:
    return obj.pk if isinstance(obj, models.Model) else obj


def _past_date(value: Any, field: str, errors: dict[str, str]) -> None:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        errors[field] = _("请填写有效日期。")
    elif value > timezone.localdate():
        errors[field] = _("日期不能晚于今天。")


def _past_moment(value: Any, field: str, errors: dict[str, str]) -> None:
    if not isinstance(value, dt.datetime):
        errors[field] = _("请填写有效的日期和时间。")
    elif timezone.is_naive(value):
        errors[field] = _("时间须带时区。")
    elif value > timezone.now():
        errors[field] = _("时间不能晚于现在。")


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


def default_receiving_body(supervisee: Supervisee) -> tuple[str, str]:
    """Art 46: the original court or the court where the sentence is executed; Art 49: the organ that
    decided the temporary release."""
    if supervisee.correction_type == CorrectionType.TEMPORARY_RELEASE:
        return supervisee.deciding_organ_kind, supervisee.deciding_organ
    if supervisee.deciding_organ_kind == DecidingOrganKind.COURT:
        return DecidingOrganKind.COURT, supervisee.deciding_organ
    return DecidingOrganKind.COURT, f"{supervisee.residence_division.name}人民法院"


def open_revocation_case(
    *,
    acting_user: Any,
    sanction: Sanction | int,
    procuratorate: str,
    evidence: str,
    reasons: str = "",
    receiving_body: str = "",
    receiving_body_kind: str = "",
) -> RevocationCase:
    """Open the case for a decided revocation proposal (Art 28 → Arts 46–49). The receiving body
    defaults to the court (暂予监外执行: the deciding organ); reasons default to the decision's."""
    require_perm(acting_user, "corrections.add_revocationcase")
    errors: dict[str, str] = {}
    if not (procuratorate or "").strip():
        errors["procuratorate"] = _("请填写抄送的人民检察院。")
    if not (evidence or "").strip():
        errors["evidence"] = _("请列明证据材料（社区矫正法第四十六条）。")
    if receiving_body_kind and receiving_body_kind not in DecidingOrganKind.values:
        errors["receiving_body_kind"] = _("受理机关类型无效。")
    _raise(errors)
    with transaction.atomic():
        row: Sanction = locked(acting_user, Sanction, _pk(sanction), "view")
        if row.kind != SanctionKindChoices.REVOCATION_PROPOSAL:
            raise ValidationError({"sanction": _("只能依据提请撤销（收监执行）的决定办理。")})
        if row.status != SanctionStatus.DECIDED:
            raise ValidationError({"sanction": _("提请撤销（收监执行）尚未决定。")})
        if RevocationCase.objects.filter(sanction=row).exists():
            raise ValidationError({"sanction": _("该决定已在办理中。")})
        supervisee = (
            Supervisee.objects.select_for_update()
            .select_related("residence_division")
            .get(pk=row.supervisee_id)
        )
        if not supervisee.is_active:
            raise ValidationError({"sanction": _("该社区矫正对象已不在矫。")})
        if supervisee.correction_type == CorrectionType.CONTROL:
            raise ValidationError({"sanction": _("管制不适用撤销缓刑、假释或收监执行。")})
        agency = county_bureau_of(supervisee.org)
        if agency is None:
            raise ValidationError({"sanction": _("无法确定县级社区矫正机构。")})
        default_kind, default_body = default_receiving_body(supervisee)
        case = RevocationCase.objects.create(
            supervisee=supervisee,
            sanction=row,
            agency=agency,
            receiving_body_kind=receiving_body_kind or default_kind,
            receiving_body=((receiving_body or "").strip() or default_body)[:128],
            procuratorate=procuratorate.strip()[:128],
            reasons=((reasons or "").strip() or row.reason)[:1000],
            evidence=evidence.strip()[:1000],
            opened_by=acting_user if getattr(acting_user, "pk", None) else None,
        )
        ensure_in_scope(acting_user, case, "add")
        record_change(actor=acting_user, obj=case, action=ChangeAction.CREATE)
        start_workflow(case, acting_user=acting_user)
        add_event(
            supervisee,
            code="revocation_opened",
            label=_("启动%(title)s程序") % {"title": case.proposal_title},
            article=case.proposal_article,
            actor=acting_user,
            data={"case": case.pk, "sanction": row.pk},
        )
    return case


def _step(
    acting_user: Any,
    case: RevocationCase | int,
    name: str,
    updates: dict[str, Any],
    *,
    check: Callable[[RevocationCase], dict[str, str]] | None = None,
    on: dt.date | None = None,
    at: dt.datetime | None = None,
    label: Callable[[RevocationCase], str] | None = None,
    article: Callable[[RevocationCase], str] | None = None,
    note: str = "",
) -> RevocationCase:
    """Save the step's fields and run its transition; call inside ``transaction.atomic``.

    ``check`` names the field errors that depend on the locked row (dates against earlier steps);
    the state is checked first, so those comparisons only see rows where the earlier step is done.
    ``label``/``article`` word the timeline entry from the row after the transition (default: the
    transition's own).
    """
    step: Transition = REVOCATION.get(name)
    row: RevocationCase = locked(acting_user, RevocationCase, _pk(case), "view")
    require_perm(acting_user, step.permission)
    if row.state not in step.sources:
        raise ValidationError(
            {
                "state": _("当前状态为“%(state)s”，不能执行“%(label)s”。")
                % {"state": row.state_label, "label": step.label}
            }
        )
    _raise(check(row) if check else {})
    before = snapshot(row)
    for field, value in updates.items():
        setattr(row, field, value)
    row.save(update_fields=[*updates, "updated_at"])
    record_change(actor=acting_user, obj=row, action=ChangeAction.UPDATE, before=before, note=name)
    workflow_transition(row, name, acting_user=acting_user, note=note, on=on, at=at)
    row.refresh_from_db()
    add_event(
        row.supervisee,
        code=f"revocation_{name}",
        label=(label(row) if label else step.label)[:100],
        article=article(row) if article else step.article,
        actor=acting_user,
        note=note,
        data={"case": row.pk},
    )
    return row


def _not_before(value: dt.date, earlier: dt.date | None, field: str, message: str) -> dict[str, str]:
    if earlier is not None and value < earlier:
        return {field: message % {"d": earlier.isoformat()}}
    return {}


def send_revocation_proposal(
    *,
    acting_user: Any,
    case: RevocationCase | int,
    sent_on: dt.date,
    procuratorate_copy_on: dt.date | None = None,
    issue_document: bool = True,
) -> RevocationCase:
    """Send the proposal with its reasons and evidence to the court (deciding organ) and, at the same
    time, a copy to the procuratorate (Art 46; 收监执行: Art 49). Without the copy — or with a copy
    on another day — nothing is sent. The proposal is issued as a numbered document."""
    errors: dict[str, str] = {}
    _past_date(sent_on, "sent_on", errors)
    if procuratorate_copy_on is None:
        errors["procuratorate_copy_on"] = _(
            "建议书须同时抄送人民检察院（社区矫正法第四十六条），请填写抄送日期。"
        )
    else:
        _past_date(procuratorate_copy_on, "procuratorate_copy_on", errors)
        if not errors and procuratorate_copy_on != sent_on:
            errors["procuratorate_copy_on"] = _("抄送人民检察院应与送达建议书同时进行（同一日）。")
    _raise(errors)

    def check(row: RevocationCase) -> dict[str, str]:
        decided = row.sanction.decided_at
        day = timezone.localdate(decided) if decided else None
        return _not_before(sent_on, day, "sent_on", _("送达日期不能早于提请撤销的决定日期（%(d)s）。"))

    with transaction.atomic():
        row = _step(
            acting_user,
            case,
            "send",
            {"sent_on": sent_on, "procuratorate_copy_on": procuratorate_copy_on},
            check=check,
            on=sent_on,
            label=lambda r: (
                _("%(title)s送达%(body)s，同时抄送%(proc)s")
                % {"title": r.proposal_title, "body": r.receiving_body, "proc": r.procuratorate}
            ),
            article=lambda r: r.proposal_article,
        )
        if issue_document:
            row.proposal_document = _proposal_document(row, acting_user)
            row.save(update_fields=["proposal_document", "updated_at"])
    return row


def _proposal_document(case: RevocationCase, actor: Any) -> Any:
    """The 建议书 on the platform notice template, issued by the agency, with the 抄送 line."""
    from sifa.platform.documents.services import render_document

    supervisee = case.supervisee
    verb = "收监执行" if case.is_committal else f"撤销{supervisee.get_correction_type_display()}"
    body = "\n".join(
        (
            f"社区矫正对象{supervisee.name}（{supervisee.get_correction_type_display()}，{supervisee.crime}，"
            f"{supervisee.judgment_number or supervisee.deciding_organ}）在社区矫正期间：",
            f"理由：{case.reasons}",
            f"证据材料：{case.evidence}",
            f"依据{case.proposal_article}，建议对其{verb}。",
            f"抄送：{case.procuratorate}",
        )
    )
    return render_document(
        acting_user=actor,
        org=case.agency,
        template_code="platform.notice",
        related=case,
        context={
            "subject": f"{case.proposal_title}书",
            "recipient": case.receiving_body,
            "body": body,
            "issue_date": case.sent_on.isoformat() if case.sent_on else "",
        },
    )


def record_court_receipt(
    *, acting_user: Any, case: RevocationCase | int, received_on: dt.date
) -> RevocationCase:
    """The court (deciding organ) received the proposal: the 30-day ruling clock starts, the day of
    receipt not counted (Art 48; 收监执行 decisions: Art 49)."""
    errors: dict[str, str] = {}
    _past_date(received_on, "received_on", errors)
    _raise(errors)

    def check(row: RevocationCase) -> dict[str, str]:
        return _not_before(received_on, row.sent_on, "received_on", _("收到日期不能早于送达日期（%(d)s）。"))

    def label(row: RevocationCase) -> str:
        clock = open_clock(row, "ruling")
        due = clock.due_display if clock is not None else "—"
        return _("%(body)s收到建议书，裁定（决定）期限至 %(due)s") % {"body": row.receiving_body, "due": due}

    with transaction.atomic():
        return _step(
            acting_user,
            case,
            "receive",
            {"received_on": received_on},
            check=check,
            on=received_on,
            label=label,
        )


def request_arrest(
    *, acting_user: Any, case: RevocationCase | int, arrest_requested_at: dt.datetime, arrest_reason: str
) -> RevocationCase:
    """Ask the court to arrest a supervisee who may flee or endanger society (Art 47): the court
    decides within 48 hours of the request — a clock in hours, in the agency's inbox."""
    errors: dict[str, str] = {}
    _past_moment(arrest_requested_at, "arrest_requested_at", errors)
    if not (arrest_reason or "").strip():
        errors["arrest_reason"] = _("请填写提请逮捕的理由（可能逃跑或者可能发生社会危险的情形）。")
    _raise(errors)

    def check(row: RevocationCase) -> dict[str, str]:
        if row.arrest_requested_at is not None:
            return {"arrest_requested_at": _("已提请逮捕。")}
        return _not_before(
            timezone.localdate(arrest_requested_at),
            row.sent_on,
            "arrest_requested_at",
            _("提请逮捕不能早于送达建议书（%(d)s）。"),
        )

    with transaction.atomic():
        row = _step(
            acting_user,
            case,
            "request_arrest",
            {"arrest_requested_at": arrest_requested_at, "arrest_reason": arrest_reason.strip()[:500]},
            check=check,
            at=arrest_requested_at,
            note=arrest_reason.strip(),
        )
        _open_arrest_task(row, acting_user, ARREST_TASK, _("跟进是否逮捕的决定（48小时）：%(case)s"))
    return row


def _open_arrest_task(row: RevocationCase, actor: Any, key: str, title: str) -> None:
    """The agency's task that follows the clock ``key`` (the arrest decision, or custody): these run
    beside the proposal's states, so they are not state tasks; the ruling closes them."""
    workflow_open_task(
        acting_user=actor,
        title=title % {"case": row},
        obj=row,
        org=row.agency,
        assignee_role=Role.BUREAU_STAFF,
        clock=open_clock(row, key),
        opened_in_state=key,
    )


def record_arrest_decision(
    *,
    acting_user: Any,
    case: RevocationCase | int,
    approve: bool,
    arrest_decided_at: dt.datetime,
    arrested_on: dt.date | None = None,
) -> RevocationCase:
    """Record whether the court decided to arrest (Art 47): the 48-hour clock stops (met or late);
    an arrest starts the custody clock of 30 days from the day of arrest, which does not roll off a
    holiday (刑事诉讼法 Art 105)."""
    errors: dict[str, str] = {}
    _past_moment(arrest_decided_at, "arrest_decided_at", errors)
    if approve and not errors:
        arrested_on = arrested_on or timezone.localdate(arrest_decided_at)
        _past_date(arrested_on, "arrested_on", errors)
        if not errors and arrested_on < timezone.localdate(arrest_decided_at):
            errors["arrested_on"] = _("逮捕日期不能早于逮捕决定日期。")
    _raise(errors)

    def check(row: RevocationCase) -> dict[str, str]:
        if row.arrest_requested_at is None:
            return {"arrest_decided_at": _("尚未提请逮捕。")}
        if row.arrest_decision:
            return {"arrest_decided_at": _("已登记逮捕决定。")}
        if arrest_decided_at < row.arrest_requested_at:
            return {"arrest_decided_at": _("决定时间不能早于提请逮捕时间。")}
        return {}

    decision = ArrestDecision.APPROVED if approve else ArrestDecision.REFUSED
    updates: dict[str, Any] = {"arrest_decision": decision, "arrest_decided_at": arrest_decided_at}
    if approve:
        updates["arrested_on"] = arrested_on
    with transaction.atomic():
        row = _step(
            acting_user,
            case,
            "arrest_approved" if approve else "arrest_refused",
            updates,
            check=check,
            at=arrest_decided_at,
            on=arrested_on if approve else None,
        )
        close_tasks(acting_user=acting_user, obj=row, state=ARREST_TASK)
        if approve:
            _open_arrest_task(
                row, acting_user, CUSTODY_TASK, _("逮捕后羁押不得超过三十日，跟进裁定：%(case)s")
            )
    return row


def record_ruling(
    *,
    acting_user: Any,
    case: RevocationCase | int,
    revoked: bool,
    ruling_on: dt.date,
    ruling_number: str,
) -> RevocationCase:
    """The court's ruling (the organ's decision on 收监执行), Art 48–49. Revoked: community corrections
    end through the supervisee's ``terminate`` transition (Art 45, reason revoked/committed) and the
    hand-over is awaited. Not revoked: supervision continues (and anyone arrested is released)."""
    errors: dict[str, str] = {}
    _past_date(ruling_on, "ruling_on", errors)
    if not (ruling_number or "").strip():
        errors["ruling_number"] = _("请填写裁定书（决定书）文号。")
    _raise(errors)

    def check(row: RevocationCase) -> dict[str, str]:
        return _not_before(
            ruling_on, row.received_on, "ruling_on", _("裁定日期不能早于收到建议书日期（%(d)s）。")
        )

    ruling = RevocationRuling.REVOKED if revoked else RevocationRuling.NOT_REVOKED
    number = ruling_number.strip()[:100]
    with transaction.atomic():
        row = _step(
            acting_user,
            case,
            "rule_revoked" if revoked else "rule_not_revoked",
            {"ruling": ruling, "ruling_on": ruling_on, "ruling_number": number},
            check=check,
            on=ruling_on,
            note=number,
        )
        for key in (ARREST_TASK, CUSTODY_TASK):
            close_tasks(acting_user=acting_user, obj=row, state=key)
        if revoked:
            terminate_supervisee(
                acting_user=acting_user,
                supervisee=row.supervisee_id,
                reason=TerminationReason.COMMITTED if row.is_committal else TerminationReason.REVOKED,
                note=f"{row.get_ruling_display()}（{number}）",
                ended_on=ruling_on,
            )
        else:
            released = _("；对被逮捕的社区矫正对象，公安机关应当立即释放") if row.arrested_on else ""
            add_event(
                row.supervisee,
                code="revocation_not_revoked",
                label=_("不予撤销，继续执行社区矫正"),
                article=ART_48,
                actor=acting_user,
                note=f"{number}{released}",
                data={"case": row.pk},
            )
    return row


def record_hand_over(
    *, acting_user: Any, case: RevocationCase | int, handed_over_on: dt.date, handed_over_to: str
) -> RevocationCase:
    """The supervisee was taken to prison or a detention centre for execution (Art 49)."""
    errors: dict[str, str] = {}
    _past_date(handed_over_on, "handed_over_on", errors)
    if not (handed_over_to or "").strip():
        errors["handed_over_to"] = _("请填写执行场所（监狱或看守所）。")
    _raise(errors)

    def check(row: RevocationCase) -> dict[str, str]:
        return _not_before(
            handed_over_on, row.ruling_on, "handed_over_on", _("交付执行日期不能早于裁定日期（%(d)s）。")
        )

    with transaction.atomic():
        row = _step(
            acting_user,
            case,
            "hand_over",
            {"handed_over_on": handed_over_on, "handed_over_to": handed_over_to.strip()[:128]},
            check=check,
            on=handed_over_on,
            label=lambda r: _("送交%(place)s执行") % {"place": r.handed_over_to},
        )
    return row

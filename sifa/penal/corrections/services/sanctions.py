"""Violations, suggested and decided rewards/sanctions (Art 28, thresholds [S] in rules.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sifa.platform.audit.models import ChangeAction
from sifa.platform.audit.services import record_change, snapshot

from ..config import current_rules
from ..models import Sanction, SanctionKindChoices, SanctionStatus, Supervisee, Violation, ViolationKind
from ..rules import ART_28, SanctionFacts, SanctionKind, Suggestion, suggest_sanction
from .common import add_event, locked, require_perm


def record_violation(
    *,
    acting_user: Any,
    supervisee: Supervisee | int,
    kind: str,
    occurred_on: dt.date,
    description: str,
    absconding_days: int = 0,
    corrected: bool = False,
) -> Violation:
    """Record a fact the sanction rules read (脱管 days, an 治安 penalty…)."""
    require_perm(acting_user, "corrections.add_violation")
    errors: dict[str, str] = {}
    if kind not in ViolationKind.values:
        errors["kind"] = _("违规类型无效。")
    if not isinstance(occurred_on, dt.date):
        errors["occurred_on"] = _("请填写有效日期。")
    elif occurred_on > timezone.localdate():
        errors["occurred_on"] = _("发生日期不能晚于今天。")
    if not isinstance(absconding_days, int) or absconding_days < 0:
        errors["absconding_days"] = _("脱离监管天数须为非负整数。")
    elif kind == ViolationKind.ABSCONDING and absconding_days == 0:
        errors["absconding_days"] = _("脱离监管须填写天数。")
    if not (description or "").strip():
        errors["description"] = _("请填写情况。")
    if errors:
        raise ValidationError(errors)
    pk = supervisee.pk if isinstance(supervisee, Supervisee) else supervisee
    with transaction.atomic():
        row: Supervisee = locked(acting_user, Supervisee, pk, "view")
        violation = Violation.objects.create(
            supervisee=row,
            kind=kind,
            occurred_on=occurred_on,
            absconding_days=absconding_days,
            corrected=corrected,
            description=description.strip()[:500],
            recorded_by=acting_user if getattr(acting_user, "pk", None) else None,
        )
        record_change(actor=acting_user, obj=violation, action=ChangeAction.CREATE)
        add_event(
            row,
            code="violation_recorded",
            label=_("记录违规：%(k)s") % {"k": violation.get_kind_display()},
            actor=acting_user,
            data={"violation": violation.pk, "absconding_days": absconding_days},
        )
    return violation


def facts_for(violation: Violation) -> SanctionFacts:
    """The facts Art 28's thresholds read: this violation, and the decided sanctions before it."""
    decided = Sanction.objects.filter(supervisee_id=violation.supervisee_id, status=SanctionStatus.DECIDED)
    uncorrected_penalty = Violation.objects.filter(
        supervisee_id=violation.supervisee_id, kind=ViolationKind.PUBLIC_SECURITY_PENALTY, corrected=False
    ).exists()
    return SanctionFacts(
        absconding_days=violation.absconding_days if violation.kind == ViolationKind.ABSCONDING else 0,
        previous_reprimands=decided.filter(kind=SanctionKind.REPRIMAND).count(),
        previous_warnings=decided.filter(kind=SanctionKind.WARNING).count(),
        # The penalty itself is the occasion of a proposal only when another violation follows it.
        public_security_penalty_uncorrected=uncorrected_penalty
        and violation.kind != ViolationKind.PUBLIC_SECURITY_PENALTY,
    )


def suggestion_for(violation: Violation) -> Suggestion:
    return suggest_sanction(facts_for(violation), current_rules())


def propose_sanction(
    *,
    acting_user: Any,
    supervisee: Supervisee | int,
    kind: str,
    reason: str,
    violation: Violation | int | None = None,
) -> Sanction:
    """Propose a reward or sanction. For a sanction on a recorded violation, the rules' suggestion
    is stored beside it; proposing something else needs a reason longer than a word."""
    require_perm(acting_user, "corrections.add_sanction")
    reason = (reason or "").strip()
    if kind not in SanctionKindChoices.values:
        raise ValidationError({"kind": _("奖惩类型无效。")})
    if not reason:
        raise ValidationError({"reason": _("请填写理由。")})
    pk = supervisee.pk if isinstance(supervisee, Supervisee) else supervisee
    with transaction.atomic():
        row: Supervisee = locked(acting_user, Supervisee, pk, "view")
        found: Violation | None = None
        suggestion: Suggestion | None = None
        if kind != SanctionKind.COMMENDATION:
            if violation is None:
                raise ValidationError({"violation": _("处罚须依据已记录的违规事实。")})
            vid = violation.pk if isinstance(violation, Violation) else violation
            found = Violation.objects.filter(pk=vid, supervisee=row).first()
            if found is None:
                raise ValidationError({"violation": _("违规记录不存在。")})
            suggestion = suggestion_for(found)
            if suggestion.kind != kind and len(reason) < 10:
                raise ValidationError(
                    {
                        "reason": _("与系统建议（%(s)s）不一致，须详细说明理由（至少10个字）。")
                        % {"s": SanctionKindChoices(suggestion.kind).label}
                    }
                )
        sanction = Sanction.objects.create(
            supervisee=row,
            violation=found,
            kind=kind,
            reason=reason[:1000],
            suggested_kind=suggestion.kind if suggestion else "",
            suggested_rule=suggestion.rule if suggestion else "",
            proposed_by=acting_user if getattr(acting_user, "pk", None) else None,
        )
        record_change(actor=acting_user, obj=sanction, action=ChangeAction.CREATE)
        add_event(
            row,
            code="sanction_proposed",
            label=_("提出%(k)s") % {"k": sanction.get_kind_display()},
            article=ART_28,
            actor=acting_user,
            data={
                "sanction": sanction.pk,
                "suggested": sanction.suggested_kind,
                "rule": sanction.suggested_rule,
            },
        )
    return sanction


def decide_sanction(
    *, acting_user: Any, sanction: Sanction | int, note: str = "", issue_document: bool = True
) -> Sanction:
    """The county agency decides (Art 28); a revocation proposal then goes to the court/organ.
    The decision is issued as a numbered document (the platform notice template) and kept on the
    sanction."""
    pk = sanction.pk if isinstance(sanction, Sanction) else sanction
    with transaction.atomic():
        row: Sanction = locked(acting_user, Sanction, pk, "view")
        if not acting_user.has_perm("corrections.decide_sanction"):
            raise PermissionDenied(_("您没有决定奖惩的权限。"))
        if row.status != SanctionStatus.PROPOSED:
            raise ValidationError({"status": _("该事项已处理。")})
        before = snapshot(row)
        row.status, row.decided_by, row.decided_at = SanctionStatus.DECIDED, acting_user, timezone.now()
        row.save()
        if issue_document:
            row.document = _decision_document(row, acting_user)
            row.save(update_fields=["document"])
        record_change(actor=acting_user, obj=row, action=ChangeAction.UPDATE, before=before, note=note[:255])
        add_event(
            row.supervisee,
            code="sanction_decided",
            label=_("决定%(k)s") % {"k": row.get_kind_display()},
            article=ART_28,
            actor=acting_user,
            note=note,
            data={"sanction": row.pk},
        )
    return row


def _decision_document(sanction: Sanction, actor: Any) -> Any:
    from sifa.platform.documents.services import render_document

    supervisee = sanction.supervisee
    kind = sanction.get_kind_display()
    facts = sanction.violation.description if sanction.violation else ""
    body = "\n".join(
        part
        for part in (
            f"{supervisee.name}（{supervisee.get_correction_type_display()}，{supervisee.crime}）：",
            f"经查，{facts}。" if facts else "",
            f"理由：{sanction.reason}",
            f"依据{ART_28}，决定给予{kind}。"
            if sanction.kind != SanctionKind.REVOCATION_PROPOSAL
            else f"依据{ART_28}，决定提请撤销并收监执行。",
        )
        if part
    )
    return render_document(
        acting_user=actor,
        org=supervisee.org,
        template_code="platform.notice",
        related=sanction,
        context={"subject": f"社区矫正{kind}决定书", "recipient": supervisee.name, "body": body},
    )

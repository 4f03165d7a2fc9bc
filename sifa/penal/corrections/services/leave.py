"""Leave (外出), frequent-travel approvals and residence change (Art 27; 实施办法 tiers [S/U])."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sifa.platform.accounts.roles import Role
from sifa.platform.audit.models import ChangeAction
from sifa.platform.audit.services import record_change, snapshot
from sifa.platform.calendar import compute_deadline
from sifa.platform.orgs.models import Division, DivisionLevel

from ..config import current_rules
from ..models import (
    ApprovalStatus,
    LeaveApplication,
    LeaveKind,
    ResidenceChange,
    Supervisee,
    SuperviseeStatus,
)
from ..rules import Tier, add_months, leave_days, leave_tier
from . import inbox
from .common import add_event, ancestors, approver_refusal, county_bureau_of, locked, require_perm

ART_27 = "《社区矫正法》第二十七条"


def days_in_window(
    supervisee: Supervisee, start: dt.date, days: int, *, exclude_pk: int | None = None
) -> int:
    """Days away within the rolling window ending on the last day of this leave (this one included):
    the approved and pending single leaves that overlap ``[end − window, end]``."""
    rules = current_rules()
    end = start + dt.timedelta(days=days - 1)
    window_start = add_months(end, -rules.leave_window_months)
    others = LeaveApplication.objects.filter(
        supervisee=supervisee,
        kind=LeaveKind.SINGLE,
        status__in=[ApprovalStatus.APPROVED, ApprovalStatus.PENDING],
        end_date__gte=window_start,
        start_date__lte=end,
    )
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    spent = 0
    for leave in others:
        overlap_start, overlap_end = max(leave.start_date, window_start), min(leave.end_date, end)
        spent += max(0, (overlap_end - overlap_start).days + 1)
    return spent + days


def _tier_org(supervisee: Supervisee, tier: str) -> Any:
    county = county_bureau_of(supervisee.org)
    if tier == Tier.OFFICE:
        return supervisee.org
    if tier == Tier.COUNTY or county is None:
        return county or supervisee.org
    above = ancestors(county)[1:]
    return above[0] if above else county


def apply_leave(
    *,
    acting_user: Any,
    supervisee: Supervisee | int,
    destination: str,
    reason: str,
    start_date: dt.date,
    end_date: dt.date | None = None,
    kind: str = LeaveKind.SINGLE,
) -> LeaveApplication:
    """Record a leave application and route it to the tier its length requires.

    A frequent-travel approval (经常性跨市县活动) needs no end date: it runs for
    ``rules.frequent_travel_months`` from ``start_date``.
    """
    require_perm(acting_user, "corrections.add_leaveapplication")
    rules = current_rules()
    errors: dict[str, str] = {}
    if not (destination or "").strip():
        errors["destination"] = _("请填写目的地。")
    if not (reason or "").strip():
        errors["reason"] = _("请填写外出事由。")
    if kind not in LeaveKind.values:
        errors["kind"] = _("类型无效。")
    if not isinstance(start_date, dt.date):
        errors["start_date"] = _("请填写有效日期。")
    if kind == LeaveKind.FREQUENT and isinstance(start_date, dt.date):
        end_date = date_minus_one(add_months(start_date, rules.frequent_travel_months))
    if not isinstance(end_date, dt.date):
        errors["end_date"] = _("请填写有效日期。")
    elif isinstance(start_date, dt.date) and end_date < start_date:
        errors["end_date"] = _("返回日期不能早于外出起始日。")
    if errors:
        raise ValidationError(errors)
    assert isinstance(end_date, dt.date)
    pk = supervisee.pk if isinstance(supervisee, Supervisee) else supervisee
    with transaction.atomic():
        row: Supervisee = locked(acting_user, Supervisee, pk, "view")
        if row.state != SuperviseeStatus.UNDER_SUPERVISION:
            raise ValidationError({"supervisee": _("只有在矫人员可以申请外出。")})
        if end_date > row.period_end:
            raise ValidationError(
                {"end_date": _("外出期间不能超过矫正期限（%(end)s）。") % {"end": row.period_end}}
            )
        days = leave_days(start_date, end_date)
        in_window = days if kind == LeaveKind.FREQUENT else days_in_window(row, start_date, days)
        tier = Tier.COUNTY if kind == LeaveKind.FREQUENT else leave_tier(days, in_window, rules)
        leave = LeaveApplication.objects.create(
            supervisee=row,
            kind=kind,
            destination=destination.strip()[:200],
            reason=reason.strip()[:500],
            start_date=start_date,
            end_date=end_date,
            days=days,
            days_in_window=in_window,
            tier=tier,
            applied_on=timezone.localdate(),
            applied_by=acting_user if getattr(acting_user, "pk", None) else None,
        )
        record_change(actor=acting_user, obj=leave, action=ChangeAction.CREATE)
        add_event(
            row,
            code="leave_applied",
            label=_("申请外出（%(tier)s）") % {"tier": leave.get_tier_display()},
            article=ART_27,
            actor=acting_user,
            data={"leave": leave.pk, "days": days, "days_in_window": in_window, "tier": str(tier)},
        )
        inbox.open_task(
            leave,
            actor=acting_user,
            title=_("审批外出申请：%(name)s %(days)d天") % {"name": row.name, "days": days},
            due=start_date,
            org=_tier_org(row, tier),
            role=Role.OFFICE_STAFF if tier == Tier.OFFICE else Role.BUREAU_HEAD,
        )
    return leave


def date_minus_one(d: dt.date) -> dt.date:
    return d - dt.timedelta(days=1)


def decide_leave(
    *, acting_user: Any, leave: LeaveApplication | int, approve: bool, note: str = ""
) -> LeaveApplication:
    """Approve or refuse (Art 27: granted for good reason). The approver's org must be the one the
    tier names; a refusal here changes nothing."""
    pk = leave.pk if isinstance(leave, LeaveApplication) else leave
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"note": _("不予批准须说明理由。")})
    with transaction.atomic():
        row: LeaveApplication = locked(acting_user, LeaveApplication, pk, "view")
        if not acting_user.has_perm("corrections.approve_leaveapplication"):
            raise PermissionDenied(_("您没有审批外出申请的权限。"))
        refusal = approver_refusal(acting_user, row.supervisee, row.tier)
        if refusal:
            raise PermissionDenied(refusal)
        if row.status != ApprovalStatus.PENDING:
            raise ValidationError({"status": _("该申请已处理。")})
        before = snapshot(row)
        row.status = ApprovalStatus.APPROVED if approve else ApprovalStatus.REJECTED
        row.decided_by, row.decided_at, row.decision_note = acting_user, timezone.now(), note[:500]
        row.save()
        record_change(
            actor=acting_user,
            obj=row,
            action=ChangeAction.UPDATE,
            before=before,
            note="approve" if approve else "reject",
        )
        add_event(
            row.supervisee,
            code="leave_approved" if approve else "leave_rejected",
            label=_("批准外出") if approve else _("不批准外出"),
            article=ART_27,
            actor=acting_user,
            note=note,
            data={"leave": row.pk, "tier": row.tier},
        )
        inbox.close_task(row, actor=acting_user)
    return row


def active_leave(supervisee: Supervisee | int, on: dt.date) -> LeaveApplication | None:
    """An approved leave covering ``on`` (monitoring uses it to widen the allowed area)."""
    pk = supervisee.pk if isinstance(supervisee, Supervisee) else supervisee
    return (
        LeaveApplication.objects.filter(
            supervisee_id=pk, status=ApprovalStatus.APPROVED, start_date__lte=on, end_date__gte=on
        )
        .order_by("-start_date")
        .first()
    )


# --- residence change ----------------------------------------------------------------------------------


def apply_residence_change(
    *, acting_user: Any, supervisee: Supervisee | int, new_division: Division, new_address: str, reason: str
) -> ResidenceChange:
    """Record an application to change the place of execution; views are due within
    ``rules.residence_views_days`` (natural days, [S/U])."""
    require_perm(acting_user, "corrections.add_residencechange")
    errors: dict[str, str] = {}
    if not isinstance(new_division, Division) or new_division.level != DivisionLevel.COUNTY:
        errors["new_division"] = _("新执行地须为区县级行政区划。")
    if not (new_address or "").strip():
        errors["new_address"] = _("请填写新居住地址。")
    if not (reason or "").strip():
        errors["reason"] = _("请填写事由。")
    if errors:
        raise ValidationError(errors)
    rules = current_rules()
    pk = supervisee.pk if isinstance(supervisee, Supervisee) else supervisee
    with transaction.atomic():
        row: Supervisee = locked(acting_user, Supervisee, pk, "view")
        if row.state != SuperviseeStatus.UNDER_SUPERVISION:
            raise ValidationError({"supervisee": _("只有在矫人员可以申请变更执行地。")})
        if new_division.pk == row.residence_division_id:
            raise ValidationError({"new_division": _("新执行地与现执行地相同。")})
        if ResidenceChange.objects.filter(supervisee=row, status=ApprovalStatus.PENDING).exists():
            raise ValidationError({"supervisee": _("已有待审批的执行地变更申请。")})
        today = timezone.localdate()
        change = ResidenceChange.objects.create(
            supervisee=row,
            new_division=new_division,
            new_address=new_address.strip()[:255],
            reason=reason.strip()[:500],
            applied_on=today,
            views_due=compute_deadline(today, rules.residence_views_days, "days").due,
        )
        record_change(actor=acting_user, obj=change, action=ChangeAction.CREATE)
        add_event(
            row,
            code="residence_change_applied",
            label=_("申请变更执行地"),
            article=ART_27,
            actor=acting_user,
            data={"to": new_division.pk},
        )
        inbox.open_task(
            change,
            actor=acting_user,
            title=_("审批执行地变更：%(name)s") % {"name": row.name},
            due=change.views_due,
            org=county_bureau_of(row.org) or row.org,
            role=Role.BUREAU_HEAD,
        )
    return change


def decide_residence_change(
    *, acting_user: Any, change: ResidenceChange | int, approve: bool, note: str = ""
) -> ResidenceChange:
    """The county bureau decides; on approval the file-transfer and new-report clocks start."""
    rules = current_rules()
    pk = change.pk if isinstance(change, ResidenceChange) else change
    if not approve and not (note or "").strip():
        raise ValidationError({"note": _("不予批准须说明理由。")})
    with transaction.atomic():
        row: ResidenceChange = locked(acting_user, ResidenceChange, pk, "view")
        if not acting_user.has_perm("corrections.approve_residencechange"):
            raise PermissionDenied(_("您没有审批执行地变更的权限。"))
        refusal = approver_refusal(acting_user, row.supervisee, Tier.COUNTY)
        if refusal:
            raise PermissionDenied(refusal)
        if row.status != ApprovalStatus.PENDING:
            raise ValidationError({"status": _("该申请已处理。")})
        before = snapshot(row)
        today = timezone.localdate()
        row.status = ApprovalStatus.APPROVED if approve else ApprovalStatus.REJECTED
        row.decided_by, row.decided_at, row.decision_note = acting_user, timezone.now(), (note or "")[:500]
        if approve:
            row.file_transfer_due = compute_deadline(today, rules.residence_file_days, "days").due
            row.report_due = compute_deadline(today, rules.residence_report_days, "days").due
        row.save()
        record_change(actor=acting_user, obj=row, action=ChangeAction.UPDATE, before=before)
        add_event(
            row.supervisee,
            code="residence_change_decided",
            label=_("批准变更执行地") if approve else _("不批准变更执行地"),
            article=ART_27,
            actor=acting_user,
            note=note,
        )
        inbox.close_task(row, actor=acting_user)
    return row


def complete_residence_change(*, acting_user: Any, change: ResidenceChange | int) -> ResidenceChange:
    """The supervisee reported to the new agency: the residence county changes (monitoring follows)."""
    require_perm(acting_user, "corrections.change_supervisee")
    pk = change.pk if isinstance(change, ResidenceChange) else change
    with transaction.atomic():
        row: ResidenceChange = locked(acting_user, ResidenceChange, pk, "view")
        if row.status != ApprovalStatus.APPROVED or row.completed_on:
            raise ValidationError({"status": _("只有已批准且未完成的变更可以办结。")})
        supervisee = Supervisee.objects.select_for_update().get(pk=row.supervisee_id)
        before = snapshot(supervisee)
        supervisee.residence_division_id, supervisee.residence_address = row.new_division_id, row.new_address
        supervisee.save(update_fields=["residence_division", "residence_address", "updated_at"])
        row.completed_on = timezone.localdate()
        row.save(update_fields=["completed_on"])
        record_change(
            actor=acting_user,
            obj=supervisee,
            action=ChangeAction.UPDATE,
            before=before,
            note="residence_change",
        )
        add_event(
            supervisee,
            code="residence_changed",
            label=_("执行地变更完成"),
            article=ART_27,
            actor=acting_user,
            data={"to": row.new_division_id},
        )
    return row

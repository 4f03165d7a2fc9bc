"""Electronic monitoring orders (Art 29): grounds, approval by the county bureau's head, ≤ 3 months,
renewal only with a reassessment and a new approval, lifted once no longer needed."""

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

from ..config import current_rules
from ..models import ApprovalStatus, MonitoringGround, MonitoringOrder, Supervisee, SuperviseeStatus
from ..rules import monitoring_period_end_limit
from . import inbox
from .common import add_event, county_bureau_of, locked, require_perm

ART_29 = "《社区矫正法》第二十九条"


def _check_period(start: dt.date, end: dt.date, errors: dict[str, str]) -> None:
    limit = monitoring_period_end_limit(start, current_rules())
    if end < start:
        errors["end_date"] = _("截止日期不能早于起始日期。")
    elif end > limit:
        errors["end_date"] = _(
            "电子定位期限每次不得超过%(m)d个月（最迟至 %(limit)s，社区矫正法第二十九条）。"
        ) % {"m": current_rules().monitoring_max_months, "limit": limit.isoformat()}


def propose_monitoring(
    *,
    acting_user: Any,
    supervisee: Supervisee | int,
    ground: str,
    ground_detail: str,
    start_date: dt.date,
    end_date: dt.date,
    renews: MonitoringOrder | int | None = None,
    reassessment: str = "",
) -> MonitoringOrder:
    """Propose an order (or its renewal). Only the five grounds of Art 29; ≤ 3 months; a renewal
    starts the day after the order it continues ends and must carry a reassessment."""
    require_perm(acting_user, "corrections.add_monitoringorder")
    errors: dict[str, str] = {}
    if ground not in MonitoringGround.values:
        errors["ground"] = _("须为社区矫正法第二十九条规定的情形之一。")
    if not (ground_detail or "").strip():
        errors["ground_detail"] = _("请填写事实与理由。")
    if not isinstance(start_date, dt.date):
        errors["start_date"] = _("请填写有效日期。")
    if not isinstance(end_date, dt.date):
        errors["end_date"] = _("请填写有效日期。")
    if not errors:
        _check_period(start_date, end_date, errors)
    if renews is not None and len((reassessment or "").strip()) < 10:
        errors["reassessment"] = _("续期须重新评估并写明评估意见（至少10个字）。")
    if errors:
        raise ValidationError(errors)
    pk = supervisee.pk if isinstance(supervisee, Supervisee) else supervisee
    with transaction.atomic():
        row: Supervisee = locked(acting_user, Supervisee, pk, "view")
        if row.state not in (SuperviseeStatus.UNDER_SUPERVISION, SuperviseeStatus.MISSING):
            raise ValidationError({"supervisee": _("该对象当前不在矫，不能使用电子定位。")})
        if end_date > row.period_end:
            raise ValidationError(
                {"end_date": _("电子定位不能超过矫正期限（%(e)s）。") % {"e": row.period_end}}
            )
        previous: MonitoringOrder | None = None
        if renews is not None:
            rid = renews.pk if isinstance(renews, MonitoringOrder) else renews
            previous = MonitoringOrder.objects.filter(
                pk=rid, supervisee=row, status=ApprovalStatus.APPROVED
            ).first()
            if previous is None or previous.lifted_on is not None:
                raise ValidationError({"renews": _("只能对已批准且未解除的电子定位续期。")})
            if hasattr(previous, "renewal"):
                raise ValidationError({"renews": _("该电子定位已有续期申请。")})
            if start_date != previous.end_date + dt.timedelta(days=1):
                raise ValidationError(
                    {
                        "start_date": _("续期应自原期限届满次日（%(d)s）起算。")
                        % {"d": (previous.end_date + dt.timedelta(days=1)).isoformat()}
                    }
                )
        overlapping = MonitoringOrder.objects.filter(
            supervisee=row,
            status__in=[ApprovalStatus.PENDING, ApprovalStatus.APPROVED],
            lifted_on__isnull=True,
            start_date__lte=end_date,
            end_date__gte=start_date,
        )
        if overlapping.exists():
            raise ValidationError({"start_date": _("与已有的电子定位期间重叠。")})
        order = MonitoringOrder.objects.create(
            supervisee=row,
            ground=ground,
            ground_detail=ground_detail.strip()[:1000],
            start_date=start_date,
            end_date=end_date,
            renews=previous,
            reassessment=(reassessment or "").strip()[:1000],
            proposed_by=acting_user if getattr(acting_user, "pk", None) else None,
        )
        record_change(actor=acting_user, obj=order, action=ChangeAction.CREATE)
        add_event(
            row,
            code="monitoring_renewal_proposed" if previous else "monitoring_proposed",
            label=_("提请续用电子定位") if previous else _("提请使用电子定位"),
            article=ART_29,
            actor=acting_user,
            data={"order": order.pk, "ground": ground},
        )
        inbox.open_task(
            order,
            actor=acting_user,
            title=_("审批电子定位：%(name)s") % {"name": row.name},
            due=start_date,
            org=county_bureau_of(row.org) or row.org,
            role=Role.BUREAU_HEAD,
        )
    return order


def approval_refusal(user: Any, supervisee: Supervisee) -> str | None:
    """Art 29: only the head (负责人) of the county justice bureau responsible for the supervisee."""
    county = county_bureau_of(supervisee.org)
    if getattr(user, "role", None) != Role.BUREAU_HEAD or county is None or user.org_id != county.pk:
        return _("电子定位须经县级司法行政部门负责人批准。")
    return None


def decide_monitoring(
    *, acting_user: Any, order: MonitoringOrder | int, approve: bool, note: str = ""
) -> MonitoringOrder:
    pk = order.pk if isinstance(order, MonitoringOrder) else order
    if not approve and not (note or "").strip():
        raise ValidationError({"note": _("不予批准须说明理由。")})
    with transaction.atomic():
        row: MonitoringOrder = locked(acting_user, MonitoringOrder, pk, "view")
        if not acting_user.has_perm("corrections.approve_monitoringorder"):
            raise PermissionDenied(_("您没有审批电子定位的权限。"))
        refusal = approval_refusal(acting_user, row.supervisee)
        if refusal:
            raise PermissionDenied(refusal)
        if row.status != ApprovalStatus.PENDING:
            raise ValidationError({"status": _("该申请已处理。")})
        errors: dict[str, str] = {}
        _check_period(row.start_date, row.end_date, errors)  # the rules may have changed meanwhile
        if errors:
            raise ValidationError(errors)
        before = snapshot(row)
        row.status = ApprovalStatus.APPROVED if approve else ApprovalStatus.REJECTED
        row.decided_by, row.decided_at, row.decision_note = acting_user, timezone.now(), (note or "")[:500]
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
            code="monitoring_approved" if approve else "monitoring_rejected",
            label=_("批准使用电子定位") if approve else _("不批准使用电子定位"),
            article=ART_29,
            actor=acting_user,
            note=note,
            data={"order": row.pk, "until": row.end_date.isoformat()},
        )
        inbox.close_task(row, actor=acting_user)
    return row


def lift_monitoring(
    *, acting_user: Any, order: MonitoringOrder | int, reason: str, on: dt.date | None = None
) -> MonitoringOrder:
    """Lift an order early once monitoring is no longer needed (Art 29: 及时解除)."""
    require_perm(acting_user, "corrections.change_monitoringorder")
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写解除原因。")})
    on = on or timezone.localdate()
    pk = order.pk if isinstance(order, MonitoringOrder) else order
    with transaction.atomic():
        row: MonitoringOrder = locked(acting_user, MonitoringOrder, pk, "change")
        if row.status != ApprovalStatus.APPROVED or row.lifted_on is not None:
            raise ValidationError({"status": _("只有正在执行的电子定位可以解除。")})
        before = snapshot(row)
        row.lifted_on, row.lift_reason = max(on, row.start_date), reason.strip()[:500]
        row.save()
        record_change(actor=acting_user, obj=row, action=ChangeAction.UPDATE, before=before, note="lift")
        add_event(
            row.supervisee,
            code="monitoring_lifted",
            label=_("解除电子定位"),
            article=ART_29,
            actor=acting_user,
            note=reason,
        )
    return row

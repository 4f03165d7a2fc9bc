"""Day-to-day supervision: correction plan and team (Arts 24–25), level, periodic check-ins."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from sifa.platform.audit.models import ChangeAction
from sifa.platform.audit.services import record_change, snapshot
from sifa.platform.orgs.scoping import ensure_in_scope

from ..config import current_rules
from ..models import (
    CheckIn,
    CheckInKind,
    CheckInStatus,
    CorrectionPlan,
    Supervisee,
    SuperviseeStatus,
    TeamMember,
    TeamRole,
)
from . import inbox
from .common import add_event, locked, require_perm

CHECK_IN_TITLES = {
    CheckInKind.REPORT: "日常报告",
    CheckInKind.VISIT: "实地走访",
    CheckInKind.PHONE: "电话核查",
}


def set_correction_team(
    *, acting_user: Any, supervisee: Supervisee | int, members: Sequence[dict[str, str]]
) -> list[TeamMember]:
    """Replace the 矫正小组 (Art 25). A female supervisee's team must include a woman."""
    require_perm(acting_user, "corrections.change_supervisee")
    cleaned: list[dict[str, str]] = []
    for i, member in enumerate(members):
        name = (member.get("name") or "").strip()
        role, sex = member.get("role"), member.get("sex")
        if not name or role not in TeamRole.values or sex not in ("male", "female"):
            raise ValidationError({"members": _("第%(n)d位成员的姓名、身份或性别无效。") % {"n": i + 1}})
        cleaned.append({"name": name[:64], "role": str(role), "sex": str(sex)})
    if not cleaned:
        raise ValidationError({"members": _("矫正小组至少需要一名成员。")})
    pk = supervisee.pk if isinstance(supervisee, Supervisee) else supervisee
    with transaction.atomic():
        row: Supervisee = locked(acting_user, Supervisee, pk, "change")
        if row.sex == "female" and not any(m["sex"] == "female" for m in cleaned):
            raise ValidationError(
                {"members": _("女性社区矫正对象的矫正小组中应有女性成员（社区矫正法第二十五条）。")}
            )
        TeamMember.objects.filter(supervisee=row).delete()
        created = TeamMember.objects.bulk_create([TeamMember(supervisee=row, **m) for m in cleaned])
        add_event(
            row,
            code="team_set",
            label=_("确定矫正小组"),
            article="《社区矫正法》第二十五条",
            actor=acting_user,
            data={"members": [m["name"] for m in cleaned]},
        )
        record_change(
            actor=acting_user,
            obj=row,
            action=ChangeAction.UPDATE,
            note="team",
            before=None,
            after={"team": cleaned},
        )
    return created


def save_correction_plan(*, acting_user: Any, supervisee: Supervisee | int, content: str) -> CorrectionPlan:
    """A new version of the individual correction plan (Art 24: 因人施教, adjusted over time)."""
    require_perm(acting_user, "corrections.change_supervisee")
    content = (content or "").strip()
    if len(content) < 10:
        raise ValidationError({"content": _("矫正方案内容过短（至少10个字）。")})
    pk = supervisee.pk if isinstance(supervisee, Supervisee) else supervisee
    with transaction.atomic():
        row: Supervisee = locked(acting_user, Supervisee, pk, "change")
        version = (row.plans.aggregate(v=Max("version"))["v"] or 0) + 1
        plan = CorrectionPlan.objects.create(
            supervisee=row,
            version=version,
            content=content,
            created_by=acting_user if getattr(acting_user, "pk", None) else None,
        )
        record_change(actor=acting_user, obj=plan, action=ChangeAction.CREATE)
        add_event(
            row,
            code="plan_saved",
            label=_("制定/调整矫正方案 v%(v)d") % {"v": version},
            article="《社区矫正法》第二十四条",
            actor=acting_user,
        )
    return plan


def change_supervision_level(
    *, acting_user: Any, supervisee: Supervisee | int, level: str, reason: str
) -> Supervisee:
    """Move between the local management classes (宽管/普管/严管, [S]); open check-ins keep their
    dates, the next ones follow the new level's intervals."""
    require_perm(acting_user, "corrections.change_supervisee")
    if level not in current_rules().level_codes:
        raise ValidationError({"level": _("管理等级无效。")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写调整理由。")})
    pk = supervisee.pk if isinstance(supervisee, Supervisee) else supervisee
    with transaction.atomic():
        row: Supervisee = locked(acting_user, Supervisee, pk, "change")
        before = snapshot(row)
        old, row.supervision_level = row.supervision_level, level
        row.save(update_fields=["supervision_level", "updated_at"])
        ensure_in_scope(acting_user, row, "change")
        record_change(actor=acting_user, obj=row, action=ChangeAction.UPDATE, before=before, note="level")
        add_event(
            row,
            code="level_changed",
            label=_("调整管理等级"),
            actor=acting_user,
            note=reason,
            data={"from": old, "to": level},
        )
    return row


def _interval(kind: str, level: str) -> int:
    intervals = current_rules().check_in_intervals.get(kind, {})
    return int(intervals.get(level) or max(intervals.values(), default=30))


def _schedule(row: Supervisee, kind: str, after: dt.date, actor: Any = None) -> CheckIn | None:
    due = after + dt.timedelta(days=_interval(kind, row.supervision_level))
    if due > row.period_end:
        return None
    check_in = CheckIn.objects.create(supervisee=row, kind=kind, due_date=due)
    inbox.open_task(
        check_in, title=f"{CHECK_IN_TITLES[CheckInKind(kind)]}：{row.name}", due=due, org=row.org, actor=actor
    )
    return check_in


def schedule_initial_check_ins(row: Supervisee, *, acting_user: Any) -> list[CheckIn]:
    start = max(row.registered_on or timezone.localdate(), row.period_start)
    created = [
        c for kind in CheckInKind.values if (c := _schedule(row, kind, start, acting_user)) is not None
    ]
    return created


def complete_check_in(
    *, acting_user: Any, check_in: CheckIn | int, note: str, done_on: dt.date | None = None
) -> CheckIn:
    """Record a report, visit or phone check (Arts 23, 26) and schedule the next one of its kind."""
    require_perm(acting_user, "corrections.change_checkin")
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请填写情况记录。")})
    done_on = done_on or timezone.localdate()
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": _("完成日期不能晚于今天。")})
    pk = check_in.pk if isinstance(check_in, CheckIn) else check_in
    with transaction.atomic():
        row: CheckIn = locked(acting_user, CheckIn, pk, "change")
        if row.status != CheckInStatus.OPEN:
            raise ValidationError({"status": _("该事项已办结。")})
        before = snapshot(row)
        row.status, row.done_on, row.note = CheckInStatus.DONE, done_on, note[:500]
        row.done_by = acting_user if getattr(acting_user, "pk", None) else None
        row.save()
        record_change(actor=acting_user, obj=row, action=ChangeAction.UPDATE, before=before)
        inbox.close_task(row, actor=acting_user)
        supervisee = row.supervisee
        if supervisee.state == SuperviseeStatus.UNDER_SUPERVISION:
            _schedule(supervisee, row.kind, done_on, acting_user)
    return row

"""Helpers every corrections service uses: locked access, timeline events, approver authority."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext as _

from sifa.platform.audit.models import ChangeAction
from sifa.platform.audit.services import record_change, record_event, snapshot
from sifa.platform.orgs.models import DivisionLevel, Org, OrgKind
from sifa.platform.orgs.scoping import OutOfScope

from ..models import Supervisee, SuperviseeEvent
from ..rules import Tier


def locked(user: Any, model: type[models.Model], pk: Any, action: str = "view") -> Any:
    """The row ``pk`` locked for update, if ``user`` may ``action`` it; 404 for missing and forbidden.

    Call inside ``transaction.atomic``: the lock holds until the write commits.
    """
    qs: Any = model.objects.restrict(user, action)  # type: ignore[attr-defined]
    try:
        return qs.select_for_update().get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):  # type: ignore[attr-defined]
        raise OutOfScope("not found") from None


def require_perm(user: Any, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied(_("您没有执行此操作的权限。"))


def add_event(
    supervisee: Supervisee,
    *,
    code: str,
    label: str,
    actor: Any,
    article: str = "",
    note: str = "",
    from_state: str = "",
    to_state: str = "",
    data: dict[str, Any] | None = None,
) -> SuperviseeEvent:
    """A step on the supervisee's timeline, mirrored as a platform domain event."""
    event = SuperviseeEvent.objects.create(
        supervisee=supervisee,
        code=code,
        label=label,
        article=article,
        note=note[:500],
        from_state=from_state,
        to_state=to_state,
        actor=actor if getattr(actor, "pk", None) else None,
        data=data or {},
    )
    record_event(
        code=f"corrections.{code}", actor=actor, obj=supervisee, data={"article": article, **(data or {})}
    )
    return event


def audited_save(obj: models.Model, *, actor: Any, before: dict[str, Any] | None, note: str = "") -> None:
    obj.save()
    record_change(
        actor=actor,
        obj=obj,
        action=ChangeAction.CREATE if before is None else ChangeAction.UPDATE,
        before=before,
        note=note,
    )


__all__ = ["add_event", "audited_save", "locked", "require_perm", "snapshot"]


# --- who may approve: org level checks (the tier must match the approver's org) ------------------------


def ancestors(org: Org) -> list[Org]:
    """``org`` and every org above it, nearest first."""
    ids = [int(x) for x in org.path.strip("/").split("/") if x]
    by_id = {o.pk: o for o in Org.objects.filter(pk__in=ids).select_related("division")}
    return [by_id[i] for i in reversed(ids) if i in by_id]


def county_bureau_of(org: Org) -> Org | None:
    """The county-level justice bureau (县级社区矫正机构) that ``org`` belongs to, or None."""
    for node in ancestors(org):
        if node.kind == OrgKind.JUSTICE_BUREAU and node.division.level == DivisionLevel.COUNTY:
            return node
    return None


def approver_refusal(user: Any, supervisee: Supervisee, tier: str) -> str | None:
    """Why ``user``'s org cannot approve at ``tier`` for ``supervisee`` (None: it can).

    * office tier: the supervisee's justice office (on delegation) or its county bureau;
    * county tier: the county bureau;
    * higher tier: an org above the county bureau (the city bureau or the department).
    """
    county = county_bureau_of(supervisee.org)
    user_org = getattr(user, "org", None)
    if county is None or user_org is None:
        return _("无法确定审批机关。")
    if tier == Tier.OFFICE:
        if user_org.pk in {county.pk, supervisee.org_id}:
            return None
        return _("该申请应由司法所或县级社区矫正机构审批。")
    if tier == Tier.COUNTY:
        return None if user_org.pk == county.pk else _("该申请应由县级社区矫正机构审批。")
    above = {o.pk for o in ancestors(county)[1:]}
    return None if user_org.pk in above else _("该申请超过县级审批权限，应由上一级社区矫正机构审批。")

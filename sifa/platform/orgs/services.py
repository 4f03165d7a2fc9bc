"""Writes on divisions and orgs. Every write is atomic and audited."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from sifa.platform.audit.models import ChangeAction
from sifa.platform.audit.services import record_change, snapshot

from .divisions import DivisionImportError, DivisionRow
from .models import ADMINISTRATIVE_KINDS, Division, Org
from .scoping import ensure_in_scope


def import_divisions(*, rows: Iterable[DivisionRow], acting_user: Any = None) -> dict[str, int]:
    """Create or update divisions; parents may come earlier in the file or already exist.

    All or nothing: an unknown parent anywhere rolls the whole import back.
    """
    rows = list(rows)
    created = updated = 0
    with transaction.atomic():
        known = set(Division.objects.values_list("code", flat=True)) | {r.code for r in rows}
        for index, row in enumerate(rows, start=2):
            if row.parent_code and row.parent_code not in known:
                raise DivisionImportError(index, "parent_code", _("上级区划 %s 不存在") % row.parent_code)
        # Insert top-down so parent rows exist before their children reference them.
        order = {"province": 0, "city": 1, "county": 2, "township": 3}
        for row in sorted(rows, key=lambda r: (order[r.level], r.code)):
            _obj, was_created = Division.objects.update_or_create(
                code=row.code,
                defaults={"name": row.name, "level": row.level, "parent_id": row.parent_code},
            )
            created += was_created
            updated += not was_created
    return {"created": created, "updated": updated}


def _set_path(org: Org) -> None:
    parent_path = org.parent.path if org.parent_id else "/"  # type: ignore[union-attr]
    org.path = f"{parent_path}{org.pk}/"
    org.depth = org.path.count("/") - 2


def create_org(
    *, acting_user: Any, name: str, kind: str, division: Division, parent: Org | None, **fields: Any
) -> Org:
    """Create an org under ``parent``; staff may only create inside their own subtree."""
    with transaction.atomic():
        org = Org(name=name, kind=kind, division=division, parent=parent, **fields)
        org.full_clean(exclude=["path"])
        org.save()
        _set_path(org)
        org.save(update_fields=["path", "depth"])
        if acting_user is not None:
            ensure_in_scope(acting_user, org, "add")
        record_change(actor=acting_user, obj=org, action=ChangeAction.CREATE)
    return org


def update_org(*, acting_user: Any, org: Org, **changes: Any) -> Org:
    """Change an org's fields (not its place in the tree). Re-checked against the actor's scope."""
    with transaction.atomic():
        org = Org.objects.select_for_update().get(pk=org.pk)
        before = snapshot(org)
        for key, value in changes.items():
            if key in {"parent", "parent_id", "path", "depth"}:
                raise ValueError("moving an org in the tree is a separate, audited operation")
            setattr(org, key, value)
        org.full_clean(exclude=["path"])
        org.save()
        ensure_in_scope(acting_user, org, "change")
        record_change(actor=acting_user, obj=org, action=ChangeAction.UPDATE, before=before)
    return org


def _division_within(division: Division, ancestor: Division) -> bool:
    node: Division | None = division
    while node is not None:
        if node.pk == ancestor.pk:
            return True
        node = node.parent
    return False


def move_org(*, acting_user: Any, org: Org | int, new_parent: Org | int, reason: str) -> Org:
    """Put ``org`` and its whole subtree under ``new_parent`` (区划调整, a merged or split bureau).

    Every row that belongs to an org of the subtree follows it: scoping reads the org paths at query
    time, so from the commit on, the new parent's staff see the subtree's records and the old
    parent's staff no longer do. The actor (``None`` for the operator's CLI) must be allowed to change
    the org where it is now and to add under the new parent; refused: moving the root, into the
    org's own subtree, under a service provider (only 司法厅/局/所 have subordinate orgs), or when the
    org's division is not inside the new parent's division (update the divisions first with
    ``sifa loaddivisions``). One transaction: the subtree's paths are rewritten by one UPDATE, the
    move is in the change log with the number of orgs moved and the reason.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写调整原因。")})
    with transaction.atomic():
        org_pk = org.pk if isinstance(org, Org) else org
        parent_pk = new_parent.pk if isinstance(new_parent, Org) else new_parent
        rows = {o.pk: o for o in Org.objects.select_for_update().filter(pk__in=[org_pk, parent_pk])}
        moving, target = rows.get(org_pk), rows.get(parent_pk)
        if moving is None:
            raise ValidationError({"org": _("机构不存在。")})
        if target is None:
            raise ValidationError({"new_parent": _("新上级机构不存在。")})
        if acting_user is not None:
            ensure_in_scope(acting_user, moving, "change")
            ensure_in_scope(acting_user, target, "add")
        if moving.parent_id is None:
            raise ValidationError({"org": _("顶级机构不能调整上级。")})
        if target.path.startswith(moving.path):
            raise ValidationError({"new_parent": _("不能把机构调整到它自己或它的下级机构之下。")})
        if target.kind not in ADMINISTRATIVE_KINDS:
            raise ValidationError({"new_parent": _("新上级机构必须是司法厅、司法局或司法所。")})
        if not target.is_active:
            raise ValidationError({"new_parent": _("新上级机构已停用。")})
        if not _division_within(moving.division, target.division):
            raise ValidationError(
                {
                    "new_parent": _(
                        "机构所在区划（%(org)s）不在新上级机构的区划（%(parent)s）内，请先更新行政区划。"
                    )
                    % {"org": moving.division, "parent": target.division}
                }
            )
        if moving.parent_id == target.pk:
            return moving
        before = snapshot(moving)
        old_prefix = moving.path
        new_prefix = f"{target.path}{moving.pk}/"
        delta = (target.depth + 1) - moving.depth
        subtree = Org.objects.filter(path__startswith=old_prefix)
        # Lock the subtree's rows; their number goes into the change log.
        count = len(subtree.select_for_update().values_list("pk", flat=True))
        subtree.update(
            path=Concat(Value(new_prefix), Substr("path", len(old_prefix) + 1)),
            depth=F("depth") + delta,
        )
        Org.objects.filter(pk=moving.pk).update(parent=target)
        moving.refresh_from_db()
        record_change(
            actor=acting_user,
            obj=moving,
            action=ChangeAction.UPDATE,
            before=before,
            note=_("调整上级机构：%(old)s → %(new)s；随同调整 %(n)d 个机构；原因：%(reason)s")
            % {"old": before.get("parent_id"), "new": target.pk, "n": count, "reason": reason[:200]},
        )
    return moving


def bulk_create_orgs(specs: list[dict[str, Any]]) -> list[Org]:
    """Demo/import helper: create many orgs top-down fast, paths included. Not audited per row."""
    created: list[Org] = []
    with transaction.atomic():
        for spec in specs:
            org = Org.objects.create(**spec)
            _set_path(org)
            org.save(update_fields=["path", "depth"])
            created.append(org)
    return created

"""Writes on divisions and orgs. Every write is atomic and audited."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from sifa.platform.audit.models import ChangeAction
from sifa.platform.audit.services import record_change, snapshot

from .divisions import DivisionImportError, DivisionRow
from .models import Division, Org
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

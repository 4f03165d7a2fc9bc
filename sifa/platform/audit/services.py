"""Writing audit rows. Services call these inside their own transaction, so the audit row and the
change commit or roll back together."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

from django.db import models
from django.db.models.fields.files import FieldFile

from .context import current_request_id
from .models import ChangeAction, ChangeLog, DomainEvent, PersonalDataAccess

# Field names whose values never go into the change log in clear (ciphertexts are fine but useless).
_NEVER_LOGGED = {"password", "key", "secret"}


def _json_value(value: Any) -> Any:
    if isinstance(value, FieldFile):
        return value.name or None  # a stored file is recorded by its storage name
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes):
        return None
    return value


def snapshot(obj: models.Model) -> dict[str, Any]:
    """Concrete field values of ``obj`` as JSON; encrypted personal fields appear masked."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in _NEVER_LOGGED:
            continue
        masked = getattr(field, "audit_repr", None)
        value = getattr(obj, field.attname)
        data[field.attname] = masked(value) if masked else _json_value(value)
    return data


def _org_of(obj: models.Model) -> Any:
    if obj._meta.label == "orgs.Org":
        return obj.pk
    path = getattr(type(obj), "scope_org_field", "") or ""
    if not path:
        return None
    target: Any = obj
    for part in path.split("__"):
        target = getattr(target, part, None)
        if target is None:
            return None
    return target.pk


def record_change(
    *,
    actor: Any,
    obj: models.Model,
    action: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> ChangeLog:
    if after is None and action != ChangeAction.DELETE:
        after = snapshot(obj)
    return ChangeLog.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_org_id=getattr(actor, "org_id", None),
        org_id=_org_of(obj),
        request_id=current_request_id(),
        action=action,
        object_type=obj._meta.label,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        before=before,
        after=after,
        note=note[:255],
    )


def record_event(
    *, code: str, actor: Any, obj: models.Model, data: dict[str, Any] | None = None
) -> DomainEvent:
    return DomainEvent.objects.create(
        code=code,
        actor=actor if getattr(actor, "pk", None) else None,
        org_id=_org_of(obj),
        request_id=current_request_id(),
        object_type=obj._meta.label,
        object_id=str(obj.pk),
        data={k: _json_value(v) for k, v in (data or {}).items()},
    )


def record_personal_access(
    *, actor: Any, obj: models.Model, field: str, purpose: str = ""
) -> PersonalDataAccess:
    return PersonalDataAccess.objects.create(
        actor=actor,
        org_id=_org_of(obj),
        request_id=current_request_id(),
        object_type=obj._meta.label,
        object_id=str(obj.pk),
        field=field,
        purpose=purpose[:255],
    )

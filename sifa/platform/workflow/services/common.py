"""Small helpers shared by the workflow services."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from sifa.platform.orgs.models import Org


def today() -> date:
    """Today in the platform's time zone (Asia/Shanghai): statutory days are local days."""
    return timezone.localdate()


def now() -> datetime:
    """The current moment (aware); clocks in hours count from and to moments."""
    return timezone.now()


def org_of(obj: models.Model) -> Org:
    """The org that owns ``obj``, following its ``scope_org_field`` (e.g. ``case__org``)."""
    if isinstance(obj, Org):
        return obj
    path = getattr(type(obj), "scope_org_field", "") or ""
    target: Any = obj
    for part in path.split("__") if path else []:
        target = getattr(target, part, None)
    if not isinstance(target, Org):
        raise ValueError(f"{obj._meta.label} has no owning org (scope_org_field={path!r})")
    return target


def ref_of(obj: models.Model) -> dict[str, Any]:
    """Generic-reference fields for ``obj``."""
    return {"content_type": ContentType.objects.get_for_model(obj), "object_id": str(obj.pk)}


def event_date(on: date | None, *, field: str = "on") -> date:
    """The day an event happened: today by default; never in the future (a clock cannot be
    started, paused or stopped by something that has not happened yet)."""
    current = today()
    if on is None:
        return current
    if on > current:
        raise ValidationError({field: _("日期不能晚于今天（%(today)s）。") % {"today": current}})
    return on


def event_moment(at: datetime | None, *, field: str = "at") -> datetime:
    """The moment an event happened (for clocks in hours): now by default, never in the future, and
    never a naive datetime (a moment without a time zone is ambiguous)."""
    current = now()
    if at is None:
        return current
    if timezone.is_naive(at):
        raise ValidationError({field: _("时刻须带时区。")})
    if at > current:
        raise ValidationError(
            {
                field: _("时刻不能晚于现在（%(now)s）。")
                % {"now": f"{timezone.localtime(current):%Y-%m-%d %H:%M}"}
            }
        )
    return at


def moment_of(as_of: date | None) -> datetime:
    """``as_of`` as a moment, for clocks in hours evaluated "as of a day": now for today (or no
    day), else the last moment of that local day."""
    if as_of is None or as_of == today():
        return now()
    return timezone.make_aware(datetime.combine(as_of, datetime.max.time()))

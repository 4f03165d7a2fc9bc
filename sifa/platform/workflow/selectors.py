"""Reads of the workflow app; every one is jurisdiction-scoped."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import F, Q, QuerySet

from sifa.platform.calendar import ClockStatus

from .models import Notification, StatutoryClock, Task, TaskStatus, TransitionLog, WarningLevel
from .services.common import moment_of, ref_of, today


def inbox_tasks(user: Any, *, status: str | None = TaskStatus.OPEN) -> QuerySet[Task]:
    """The user's 待办: tasks assigned to them, and tasks assigned to their role in their own org
    (see ``Task``), within their jurisdiction; by due date, undated last."""
    if not getattr(user, "is_authenticated", False):
        return Task.objects.none()
    mine = Q(assignee_user=user)
    if getattr(user, "org_id", None) and getattr(user, "role", ""):
        mine |= Q(assignee_user__isnull=True, assignee_role=user.role, org_id=user.org_id)
    qs = Task.objects.restrict(user, "view").filter(mine)
    if status is not None:
        qs = qs.filter(status=status)
    return qs.select_related("org").order_by(
        F("due_date").asc(nulls_last=True), F("due_at").asc(nulls_last=True), "id"
    )


def jurisdiction_tasks(user: Any) -> QuerySet[Task]:
    return Task.objects.restrict(user, "view")


def overdue_tasks(user: Any) -> QuerySet[Task]:
    return jurisdiction_tasks(user).filter(status=TaskStatus.OPEN, warning=WarningLevel.OVERDUE)


def history_of(obj: models.Model, user: Any) -> QuerySet[TransitionLog]:
    """The object's transitions, oldest first (empty for a user outside its jurisdiction)."""
    return TransitionLog.objects.restrict(user, "view").filter(**ref_of(obj)).select_related("actor")


def clocks_of(obj: models.Model, user: Any) -> QuerySet[StatutoryClock]:
    return (
        StatutoryClock.objects.restrict(user, "view")
        .filter(**ref_of(obj))
        .prefetch_related("pauses", "extensions")
        .order_by("start_date", "id")
    )


def unread_notifications(user: Any, limit: int = 10) -> list[Notification]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(Notification.objects.filter(user=user, read=False)[:limit])


def live_status(clock: StatutoryClock, *, at: datetime | None = None) -> ClockStatus:
    """The clock as it stands now (a clock in hours: at the moment ``at``), computed with the
    calendar rather than read from the cache the deadline scan refreshes: for pages that show the
    time remaining. Writes nothing."""
    if clock.in_hours:
        return clock.to_clock().status(at or moment_of(None))
    from .holidays import calendar_source

    return clock.to_clock().status(today(), calendar_source())

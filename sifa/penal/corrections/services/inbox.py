"""Inbox (待办) integration for the steps that are not lifecycle states: check-ins, leave,
residence-change and monitoring approvals, searches. (The lifecycle's own tasks — 等待报到,
登记, 查找 — are declared in workflows.SUPERVISEE and opened/closed by the platform's transition
service.) Each task is attached to the object it is about, so the platform's deadline scan warns
about it like any other, and ``key`` (stored as ``opened_in_state``) names the step.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models

from sifa.platform.accounts.roles import Role
from sifa.platform.workflow.models import Task, TaskStatus
from sifa.platform.workflow.services.common import ref_of
from sifa.platform.workflow.services.inbox import close_tasks
from sifa.platform.workflow.services.inbox import open_task as workflow_open_task


def open_task(
    obj: models.Model,
    *,
    title: str,
    due: dt.date | None,
    org: Any = None,
    role: str = Role.OFFICE_STAFF,
    key: str = "",
    actor: Any = None,
) -> Task:
    """Open (once) the task for ``obj`` at ``org`` (default: the supervisee's office) for ``role``."""
    if org is None:
        org = getattr(obj, "org", None) or obj.supervisee.org  # type: ignore[attr-defined]
    existing = Task.objects.filter(**ref_of(obj), opened_in_state=key, status=TaskStatus.OPEN).first()
    if existing is not None:
        return existing
    return workflow_open_task(
        acting_user=actor,
        title=title,
        org=org,
        obj=obj,
        assignee_role=role,
        due_date=due,
        opened_in_state=key,
        url=_supervisee_url(obj),
    )


def _supervisee_url(obj: models.Model) -> str:
    from django.urls import NoReverseMatch, reverse

    supervisee_id = obj.pk if obj._meta.model_name == "supervisee" else getattr(obj, "supervisee_id", None)
    try:
        return reverse("corrections:supervisee-detail", args=[supervisee_id]) if supervisee_id else ""
    except NoReverseMatch:
        return ""


def close_task(obj: models.Model, *, key: str = "", actor: Any = None, cancelled: bool = False) -> int:
    return close_tasks(
        acting_user=actor, obj=obj, state=key, status=TaskStatus.CANCELLED if cancelled else TaskStatus.DONE
    )


def close_all(supervisee: Any, *, actor: Any = None) -> None:
    """The case ended: every open task about its steps is cancelled."""
    from ..models import CheckIn, LeaveApplication, MonitoringOrder, ResidenceChange, Search

    close_tasks(acting_user=actor, obj=supervisee, status=TaskStatus.CANCELLED)
    for model in (CheckIn, Search, LeaveApplication, MonitoringOrder, ResidenceChange):
        for obj in model.objects.filter(supervisee=supervisee):
            close_tasks(acting_user=actor, obj=obj, status=TaskStatus.CANCELLED)

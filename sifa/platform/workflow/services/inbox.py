"""Inbox services: open and close 待办 tasks, mark one done, and notify users in-app."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sifa.platform.audit.models import ChangeAction
from sifa.platform.audit.services import record_change, snapshot
from sifa.platform.orgs.models import Org
from sifa.platform.orgs.scoping import OutOfScope

from ..models import Notification, StatutoryClock, Task, TaskStatus
from .common import org_of, ref_of


def object_url(obj: models.Model | None) -> str:
    if obj is None:
        return ""
    get_url = getattr(obj, "get_absolute_url", None)
    try:
        return str(get_url()) if callable(get_url) else ""
    except Exception:  # a URL that cannot be reversed must not block the procedure
        return ""


def open_task(
    *,
    acting_user: Any,
    title: str,
    org: Org | None = None,
    obj: models.Model | None = None,
    assignee_user: Any = None,
    assignee_role: str = "",
    clock: StatutoryClock | None = None,
    due_date: date | None = None,
    opened_in_state: str = "",
    url: str = "",
) -> Task:
    """Put a task in someone's inbox: a user, or a role at ``org`` (default: the object's org)."""
    if assignee_user is None and not assignee_role:
        raise ValidationError({"assignee": _("待办须指定承办人或承办角色。")})
    if org is None:
        if obj is None:
            raise ValidationError({"org": _("待办须属于一个机构。")})
        org = org_of(obj)
    fields: dict[str, Any] = ref_of(obj) if obj is not None else {}
    with transaction.atomic():
        task = Task.objects.create(
            org=org,
            title=title[:200],
            assignee_user=assignee_user,
            assignee_role=assignee_role,
            clock=clock,
            due_date=clock.due_date if clock is not None else due_date,
            due_at=clock.due_at if clock is not None else None,
            provisional=clock.provisional if clock is not None else False,
            opened_in_state=opened_in_state,
            url=url or object_url(obj),
            **fields,
        )
        record_change(actor=acting_user, obj=task, action=ChangeAction.CREATE)
    return task


def close_tasks(
    *, acting_user: Any, obj: models.Model, state: str | None = None, status: str = TaskStatus.DONE
) -> int:
    """Close the object's open tasks (those opened in ``state`` when given)."""
    qs = Task.objects.select_for_update().filter(**ref_of(obj), status=TaskStatus.OPEN)
    if state is not None:
        qs = qs.filter(opened_in_state=state)
    closed = 0
    for task in qs.order_by("pk"):
        _close(task, acting_user, status)
        closed += 1
    return closed


def _close(task: Task, acting_user: Any, status: str) -> None:
    before = snapshot(task)
    task.status = status
    task.closed_at = timezone.now()
    task.closed_by = acting_user if getattr(acting_user, "pk", None) else None
    task.save(update_fields=["status", "closed_at", "closed_by"])
    record_change(actor=acting_user, obj=task, action=ChangeAction.UPDATE, before=before)


def is_in_inbox(task: Task, user: Any) -> bool:
    """The inbox rule (see ``Task``): the assigned user, or a user of the assigned role in its org."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if task.assignee_user_id is not None:
        return bool(task.assignee_user_id == user.pk)
    return bool(task.assignee_role and task.assignee_role == user.role and task.org_id == user.org_id)


def complete_task(*, acting_user: Any, task: Task) -> Task:
    """Mark a task in the acting user's inbox done. Someone else's task is "not found" (404)."""
    with transaction.atomic():
        locked = Task.objects.select_for_update().get(pk=task.pk)
        if not acting_user.has_perm("workflow.change_task") or not is_in_inbox(locked, acting_user):
            raise OutOfScope("task is not in the acting user's inbox")
        if locked.status != TaskStatus.OPEN:
            raise ValidationError({"status": _("该待办已办结。")})
        _close(locked, acting_user, TaskStatus.DONE)
    return locked


def recipients(task: Task) -> list[Any]:
    """Who is told about the task: its user, or every active user of its role in its org."""
    user_model = get_user_model()
    if task.assignee_user_id is not None:
        return list(user_model.objects.filter(pk=task.assignee_user_id, is_active=True))
    return list(
        user_model.objects.filter(org_id=task.org_id, role=task.assignee_role, is_active=True).order_by("pk")
    )


def notify(*, user: Any, text: str, url: str = "", key: str | None = None) -> Notification | None:
    """An in-app notification; with ``key`` it is sent at most once (None when already sent)."""
    if key is not None and Notification.objects.filter(key=key).exists():
        return None
    try:
        with transaction.atomic():
            return Notification.objects.create(user=user, text=text[:255], url=url[:255], key=key)
    except IntegrityError:  # a concurrent run sent it first
        return None

"""待办 (inbox tasks), in-app notifications, and job receipts."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sifa.platform.accounts.roles import Role
from sifa.platform.orgs.models import Org
from sifa.platform.orgs.scoping import ScopedQuerySet

from .clocks import StatutoryClock


class TaskStatus(models.TextChoices):
    OPEN = "open", _("待办")  # someone must act
    DONE = "done", _("已办")  # acted on (by a transition or marked done)
    CANCELLED = "cancelled", _("已撤销")  # no longer needed (e.g. the case was withdrawn)


class WarningLevel(models.TextChoices):
    NONE = "none", _("正常")
    NEAR_DUE = "near_due", _("临近到期")
    OVERDUE = "overdue", _("已超期")


class Task(models.Model):
    """An open step someone must act on.

    Visibility (decided here, enforced by ``selectors.inbox_tasks``): a task assigned to a user is
    in that user's inbox only; a task assigned to a role is in the inbox of every active user of
    that role *in the task's org* (not its subtree: a city bureau's staff do not act for a county).
    Supervisors see all tasks of their jurisdiction in the task list (scoped by ``org``).
    """

    org = models.ForeignKey(Org, verbose_name=_("所属机构"), on_delete=models.PROTECT, related_name="+")
    assignee_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="workflow_tasks",
    )
    assignee_role = models.CharField(
        _("承办角色"), max_length=32, blank=True, default="", choices=Role.choices
    )
    title = models.CharField(_("事项"), max_length=200)
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True, default="", db_index=True)
    url = models.CharField(_("链接"), max_length=255, blank=True, default="")
    clock = models.ForeignKey(
        StatutoryClock, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    # The workflow state that opened the task: leaving that state closes it.
    opened_in_state = models.CharField(max_length=32, blank=True, default="")
    due_date = models.DateField(_("到期日"), null=True, blank=True, db_index=True)
    # The due moment, for a task whose clock counts hours (社区矫正法 Art 47: 48 hours).
    due_at = models.DateTimeField(_("到期时刻"), null=True, blank=True)
    provisional = models.BooleanField(_("暂定"), default=False)
    status = models.CharField(
        _("状态"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN, db_index=True
    )
    warning = models.CharField(
        _("预警"), max_length=16, choices=WarningLevel.choices, default=WarningLevel.NONE, db_index=True
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_org_field = "org"
    scope_assignee_field = "assignee_user"  # lawyers and mediators see the tasks given to them

    class Meta:
        verbose_name = _("待办")
        verbose_name_plural = _("待办")
        ordering = ["status", "due_date", "id"]
        indexes = [
            models.Index(fields=["status", "org", "assignee_role"]),
            models.Index(fields=["content_type", "object_id", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(assignee_user__isnull=True, assignee_role=""),
                name="workflow_task_has_assignee",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def due_display(self) -> str:
        """The due date as shown: with the local time when the task's clock counts hours."""
        if self.due_at is not None:
            return f"{timezone.localtime(self.due_at):%Y-%m-%d %H:%M}"
        return str(self.due_date) if self.due_date else ""


class Notification(models.Model):
    """An in-app message to one user (预警, 分派…). ``key`` makes a repeated job send it once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.CharField(_("内容"), max_length=255)
    url = models.CharField(_("链接"), max_length=255, blank=True, default="")
    read = models.BooleanField(_("已读"), default=False)
    key = models.CharField(max_length=128, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.text


class JobReceipt(models.Model):
    """Proof that a background job's effect was committed, written in the same transaction as the
    effect. A job redelivered after its worker died (acks_late) finds the receipt and does nothing."""

    key = models.CharField(max_length=191, unique=True)
    task = models.CharField(max_length=191)
    result = models.JSONField(default=dict)
    done_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key

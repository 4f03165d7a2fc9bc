"""Audit rows. They are append-only: the model refuses updates and deletes, and the database does too
(triggers created in migration 0002 on SQLite and PostgreSQL), so even the application's own
database role cannot rewrite history."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sifa.platform.orgs.models import Org
from sifa.platform.orgs.scoping import ScopedQuerySet


class AppendOnlyError(RuntimeError):
    pass


class AppendOnlyModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError(f"{type(self).__name__} rows are append-only")


class ChangeAction(models.TextChoices):
    CREATE = "create", _("新增")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    TRANSITION = "transition", _("流转")


class ChangeLog(AppendOnlyModel):
    """One service write: who, in which org and request, what it was before and after."""

    time = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_org = models.ForeignKey(Org, null=True, on_delete=models.PROTECT, related_name="+")
    # The org the changed object belongs to: admins see changes within their jurisdiction.
    org = models.ForeignKey(
        Org, verbose_name=_("所属机构"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    request_id = models.CharField(_("请求编号"), max_length=64, db_index=True)
    action = models.CharField(_("动作"), max_length=16, choices=ChangeAction.choices)
    object_type = models.CharField(_("对象类型"), max_length=64, db_index=True)
    object_id = models.CharField(_("对象编号"), max_length=64, db_index=True)
    object_repr = models.CharField(_("对象"), max_length=200)
    before = models.JSONField(null=True)
    after = models.JSONField(null=True)
    note = models.CharField(_("说明"), max_length=255, blank=True, default="")

    objects = ScopedQuerySet.as_manager()
    scope_org_field = "org"

    class Meta:
        verbose_name = _("变更日志")
        verbose_name_plural = _("变更日志")
        ordering = ["-time", "-id"]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"


class DomainEvent(AppendOnlyModel):
    """Something that happened in a procedure (受理, 逾期预警, 越界…), with its data."""

    time = models.DateTimeField(auto_now_add=True, db_index=True)
    code = models.CharField(_("事件"), max_length=64, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    org = models.ForeignKey(Org, null=True, on_delete=models.PROTECT, related_name="+")
    request_id = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    data = models.JSONField(default=dict)

    objects = ScopedQuerySet.as_manager()
    scope_org_field = "org"

    class Meta:
        verbose_name = _("业务事件")
        verbose_name_plural = _("业务事件")
        ordering = ["-time", "-id"]

    def __str__(self) -> str:
        return f"{self.code} {self.object_type}#{self.object_id}"


class PersonalDataAccess(AppendOnlyModel):
    """A read of personal data in clear (查看明文身份证号、手机号…): who, what, why."""

    time = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    org = models.ForeignKey(Org, null=True, on_delete=models.PROTECT, related_name="+")
    request_id = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    field = models.CharField(_("字段"), max_length=64)
    purpose = models.CharField(_("用途"), max_length=255, blank=True, default="")

    objects = ScopedQuerySet.as_manager()
    scope_org_field = "org"

    class Meta:
        verbose_name = _("个人信息查看记录")
        verbose_name_plural = _("个人信息查看记录")
        ordering = ["-time", "-id"]

    def __str__(self) -> str:
        return f"{self.actor_id} read {self.object_type}#{self.object_id}.{self.field}"

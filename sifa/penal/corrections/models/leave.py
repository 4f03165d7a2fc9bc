from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sifa.platform.orgs.models import Division

from .base import CorrectionsQuerySet
from .supervisee import Supervisee


class LeaveKind(models.TextChoices):
    SINGLE = "single", _("外出")
    FREQUENT = "frequent", _("经常性跨市县活动")


class LeaveTier(models.TextChoices):
    OFFICE = "office", _("司法所审批")
    COUNTY = "county", _("县级社区矫正机构审批")
    HIGHER = "higher", _("上一级社区矫正机构审批")


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("不予批准")
    WITHDRAWN = "withdrawn", _("已撤回")


class LeaveApplication(models.Model):
    """An application to leave the county of residence (Art 27), approved at the tier its length
    requires (实施办法 [S/U], see rules.leave_tier)."""

    supervisee = models.ForeignKey(Supervisee, on_delete=models.CASCADE, related_name="leaves")
    kind = models.CharField(_("类型"), max_length=16, choices=LeaveKind.choices, default=LeaveKind.SINGLE)
    destination = models.CharField(_("目的地"), max_length=200)
    reason = models.CharField(_("事由"), max_length=500)
    start_date = models.DateField(_("外出起始日"))
    end_date = models.DateField(_("返回日期"))
    days = models.PositiveIntegerField(_("天数"))
    days_in_window = models.PositiveIntegerField(_("两个月内累计天数"))
    tier = models.CharField(_("审批层级"), max_length=16, choices=LeaveTier.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )
    applied_on = models.DateField(_("申请日期"))
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=500, blank=True, default="")

    objects = CorrectionsQuerySet.as_manager()
    scope_org_field = "supervisee__org"
    juvenile_field = "supervisee__is_juvenile"

    class Meta:
        verbose_name = _("外出申请")
        verbose_name_plural = _("外出申请")
        ordering = ["-applied_on", "-id"]
        permissions = [("approve_leaveapplication", "审批外出申请")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="corrections_leave_dates_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.supervisee.name} {self.get_kind_display()} {self.start_date}—{self.end_date}"


class ResidenceChange(models.Model):
    """A change of the place of execution (执行地变更, Art 27): approval, then the file moves and the
    supervisee reports to the new agency, each with its clock ([S/U] 5/5/7 days)."""

    supervisee = models.ForeignKey(Supervisee, on_delete=models.CASCADE, related_name="residence_changes")
    new_division = models.ForeignKey(
        Division, verbose_name=_("新执行地（区县）"), on_delete=models.PROTECT, related_name="+"
    )
    new_address = models.CharField(_("新居住地址"), max_length=255)
    reason = models.CharField(_("事由"), max_length=500)
    status = models.CharField(
        _("状态"), max_length=16, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )
    applied_on = models.DateField(_("申请日期"))
    views_due = models.DateField(_("征求意见期限"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=500, blank=True, default="")
    file_transfer_due = models.DateField(_("档案移交期限"), null=True, blank=True)
    report_due = models.DateField(_("新执行地报到期限"), null=True, blank=True)
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)

    objects = CorrectionsQuerySet.as_manager()
    scope_org_field = "supervisee__org"
    juvenile_field = "supervisee__is_juvenile"

    class Meta:
        verbose_name = _("执行地变更")
        verbose_name_plural = _("执行地变更")
        ordering = ["-applied_on", "-id"]
        permissions = [("approve_residencechange", "审批执行地变更")]

    def __str__(self) -> str:
        return f"{self.supervisee.name} 执行地变更（{self.applied_on}）"

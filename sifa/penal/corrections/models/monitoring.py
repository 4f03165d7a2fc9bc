from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import CorrectionsQuerySet
from .leave import ApprovalStatus
from .supervisee import Supervisee


class MonitoringGround(models.TextChoices):
    """The five grounds of Art 29 — the only ones on which electronic monitoring may be ordered."""

    PROHIBITION_ORDER = "prohibition_order", _("违反人民法院禁止令")
    LEFT_AREA = "left_area", _("无正当理由，未经批准离开所居住的市、县")
    REFUSED_REPORTING = "refused_reporting", _("拒不按照规定报告自己的活动情况，被给予警告")
    PUBLIC_SECURITY_PENALTY = "public_security_penalty", _("违反监督管理规定，被给予治安管理处罚")
    REVOCATION_PENDING = "revocation_pending", _("拟提请撤销缓刑、假释或者暂予监外执行收监执行")


class MonitoringOrder(models.Model):
    """An order to use electronic location monitoring (电子定位) on a supervisee (Art 29).

    Approved by the head of the county justice bureau, at most 3 months (rules.monitoring_max_months)
    a time; a renewal is a new order that points at the one it continues and carries a reassessment.
    Positions may be stored only while an approved order covers the moment
    (selectors.active_monitoring_order).
    """

    supervisee = models.ForeignKey(Supervisee, on_delete=models.CASCADE, related_name="monitoring_orders")
    ground = models.CharField(_("适用情形"), max_length=32, choices=MonitoringGround.choices)
    ground_detail = models.CharField(_("事实与理由"), max_length=1000)
    start_date = models.DateField(_("起始日期"))
    end_date = models.DateField(_("截止日期"))
    renews = models.OneToOneField(
        "self",
        verbose_name=_("续期自"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="renewal",
    )
    reassessment = models.CharField(_("续期评估意见"), max_length=1000, blank=True, default="")
    status = models.CharField(
        _("状态"), max_length=16, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=500, blank=True, default="")
    # Lifted early once no longer needed (Art 29: 及时解除).
    lifted_on = models.DateField(_("解除日期"), null=True, blank=True)
    lift_reason = models.CharField(_("解除原因"), max_length=500, blank=True, default="")

    objects = CorrectionsQuerySet.as_manager()
    scope_org_field = "supervisee__org"
    juvenile_field = "supervisee__is_juvenile"

    class Meta:
        verbose_name = _("电子定位决定")
        verbose_name_plural = _("电子定位决定")
        ordering = ["-start_date", "-id"]
        permissions = [("approve_monitoringorder", "审批使用电子定位装置")]
        indexes = [models.Index(fields=["supervisee", "status", "start_date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="corrections_monitoring_dates_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.supervisee.name} 电子定位 {self.start_date}—{self.end_date}"

    @property
    def effective_end(self) -> dt.date:
        return min(self.end_date, self.lifted_on) if self.lifted_on else self.end_date

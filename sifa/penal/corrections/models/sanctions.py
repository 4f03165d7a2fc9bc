from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import CorrectionsQuerySet
from .supervisee import Supervisee


class ViolationKind(models.TextChoices):
    ABSCONDING = "absconding", _("脱离监管")
    MISSED_REPORT = "missed_report", _("未按规定报告")
    LEAVE_OVERSTAY = "leave_overstay", _("未经批准外出或逾期未归")
    PROHIBITION_ORDER = "prohibition_order", _("违反禁止令")
    PUBLIC_SECURITY_PENALTY = "public_security_penalty", _("受到治安管理处罚")
    OTHER = "other", _("其他违反监督管理规定")


class Violation(models.Model):
    """A recorded fact — the input to the sanction suggestion (Art 28)."""

    supervisee = models.ForeignKey(Supervisee, on_delete=models.CASCADE, related_name="violations")
    kind = models.CharField(_("违规类型"), max_length=32, choices=ViolationKind.choices)
    occurred_on = models.DateField(_("发生日期"))
    absconding_days = models.PositiveIntegerField(_("脱离监管天数"), default=0)
    corrected = models.BooleanField(_("已改正"), default=False)
    description = models.CharField(_("情况"), max_length=500)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CorrectionsQuerySet.as_manager()
    scope_org_field = "supervisee__org"
    juvenile_field = "supervisee__is_juvenile"

    class Meta:
        verbose_name = _("违规记录")
        verbose_name_plural = _("违规记录")
        ordering = ["-occurred_on", "-id"]

    def __str__(self) -> str:
        return f"{self.supervisee.name} {self.get_kind_display()}（{self.occurred_on}）"


class SanctionKindChoices(models.TextChoices):
    COMMENDATION = "commendation", _("表扬")
    REPRIMAND = "reprimand", _("训诫")
    WARNING = "warning", _("警告")
    PUBLIC_SECURITY_PROPOSAL = "public_security_proposal", _("提请治安管理处罚")
    REVOCATION_PROPOSAL = "revocation_proposal", _("提请撤销/收监执行")


class SanctionStatus(models.TextChoices):
    PROPOSED = "proposed", _("待决定")
    DECIDED = "decided", _("已决定")
    WITHDRAWN = "withdrawn", _("已撤回")


class Sanction(models.Model):
    """A reward or sanction (Art 28). ``suggested_*`` keep what the rules proposed from the facts, so a
    decision that departs from the suggestion is visible and carries its reason."""

    supervisee = models.ForeignKey(Supervisee, on_delete=models.CASCADE, related_name="sanctions")
    violation = models.ForeignKey(
        Violation, null=True, blank=True, on_delete=models.PROTECT, related_name="sanctions"
    )
    kind = models.CharField(_("奖惩"), max_length=32, choices=SanctionKindChoices.choices)
    suggested_kind = models.CharField(
        _("系统建议"), max_length=32, choices=SanctionKindChoices.choices, blank=True, default=""
    )
    suggested_rule = models.CharField(_("建议依据规则"), max_length=64, blank=True, default="")
    reason = models.CharField(_("理由"), max_length=1000)
    status = models.CharField(
        _("状态"), max_length=16, choices=SanctionStatus.choices, default=SanctionStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    document = models.ForeignKey(
        "documents.Document", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = CorrectionsQuerySet.as_manager()
    scope_org_field = "supervisee__org"
    juvenile_field = "supervisee__is_juvenile"

    class Meta:
        verbose_name = _("奖惩")
        verbose_name_plural = _("奖惩")
        ordering = ["-proposed_at", "-id"]
        permissions = [("decide_sanction", "决定奖惩")]

    def __str__(self) -> str:
        return f"{self.supervisee.name} {self.get_kind_display()}"

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import CorrectionsQuerySet
from .supervisee import Supervisee


class CheckInKind(models.TextChoices):
    REPORT = "report", _("日常报告")
    VISIT = "visit", _("实地走访")
    PHONE = "phone", _("电话核查")


class CheckInStatus(models.TextChoices):
    OPEN = "open", _("待办")
    DONE = "done", _("已完成")
    MISSED = "missed", _("未按期完成")
    CANCELLED = "cancelled", _("已取消")


class CheckIn(models.Model):
    """A periodic check (Arts 23, 26): a report by the supervisee, a visit or a phone check, due on a date.

    The interval depends on the supervision level (rules.check_in_intervals [S]); completing one
    schedules the next, so there is always one open check of each kind while supervision lasts.
    """

    supervisee = models.ForeignKey(Supervisee, on_delete=models.CASCADE, related_name="check_ins")
    kind = models.CharField(_("方式"), max_length=16, choices=CheckInKind.choices)
    due_date = models.DateField(_("到期日"))
    status = models.CharField(_("状态"), max_length=16, choices=CheckInStatus.choices, default="open")
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("情况记录"), max_length=500, blank=True, default="")

    objects = CorrectionsQuerySet.as_manager()
    scope_org_field = "supervisee__org"
    juvenile_field = "supervisee__is_juvenile"

    class Meta:
        verbose_name = _("日常监管")
        verbose_name_plural = _("日常监管")
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self) -> str:
        return f"{self.supervisee.name} {self.get_kind_display()}（{self.due_date}）"


class SearchStatus(models.TextChoices):
    OPEN = "open", _("查找中")
    FOUND = "found", _("已找到")
    CLOSED = "closed", _("已结束")


class Search(models.Model):
    """A search for a supervisee who did not report or is out of contact (Art 30: 立即组织查找)."""

    supervisee = models.ForeignKey(Supervisee, on_delete=models.CASCADE, related_name="searches")
    reason = models.CharField(_("原因"), max_length=200)
    opened_on = models.DateField(_("开始日期"))
    status = models.CharField(_("状态"), max_length=16, choices=SearchStatus.choices, default="open")
    closed_on = models.DateField(_("结束日期"), null=True, blank=True)
    outcome = models.CharField(_("查找结果"), max_length=500, blank=True, default="")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = CorrectionsQuerySet.as_manager()
    scope_org_field = "supervisee__org"
    juvenile_field = "supervisee__is_juvenile"

    class Meta:
        verbose_name = _("查找")
        verbose_name_plural = _("查找")
        ordering = ["-opened_on", "-id"]
        constraints = [
            # The periodic job may run twice; at most one open search per supervisee.
            models.UniqueConstraint(
                fields=["supervisee"],
                condition=models.Q(status="open"),
                name="corrections_one_open_search",
            )
        ]

    def __str__(self) -> str:
        return f"{self.supervisee.name} 查找（{self.opened_on}）"

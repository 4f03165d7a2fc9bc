"""What the smart-advice service keeps: the masked question, how it was classified, and hand-overs.

Questions come from anonymous citizens; they belong to the province justice department's org so
the province's knowledge-base staff can review them. Nothing typed by the citizen is stored before
ID, phone and bank-card numbers are masked.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from sifa.platform.orgs.models import Org
from sifa.platform.orgs.scoping import ScopedQuerySet


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("待复核")
    REVIEWED = "reviewed", _("已复核")


class AdviceQuestion(models.Model):
    org = models.ForeignKey(Org, verbose_name=_("受理机构"), on_delete=models.PROTECT, related_name="+")
    question_masked = models.TextField(_("问题（已脱敏）"))
    category = models.CharField(_("类别"), max_length=32, db_index=True)
    confidence = models.FloatField(_("置信度"))
    cited = models.JSONField(_("引用法条"), default=list)
    handover = models.BooleanField(_("转人工"), default=False, db_index=True)
    handover_requested = models.BooleanField(_("已申请人工"), default=False)
    contact_masked = models.CharField(_("联系电话"), max_length=32, blank=True, default="")
    contact_token = models.CharField(max_length=255, blank=True, default="", editable=False)
    session_key = models.CharField(max_length=64, blank=True, default="", db_index=True, editable=False)
    review_status = models.CharField(
        _("复核状态"), max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    review_note = models.CharField(_("复核意见"), max_length=500, blank=True, default="")
    # The category a reviewer says the question belongs to (blank: not reviewed, or the classifier's
    # answer was right). `sifa manage export_reviewed_questions` turns reviews into training rows.
    reviewed_category = models.CharField(_("复核类别"), max_length=32, blank=True, default="")
    reviewed_at = models.DateTimeField(_("复核时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提问时间"), auto_now_add=True, db_index=True)

    objects = ScopedQuerySet.as_manager()
    scope_org_field = "org"

    class Meta:
        verbose_name = _("咨询问题")
        verbose_name_plural = _("咨询问题")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.question_masked[:40]

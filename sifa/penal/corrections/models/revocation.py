"""The revocation procedure after a decided revocation proposal (社区矫正法 Arts 45–49).

A ``RevocationCase`` follows one decided ``Sanction`` of kind ``revocation_proposal`` (Art 28) to its
end: the proposal sent to the court (暂予监外执行: the deciding organ) with reasons and evidence and
at the same time copied to the procuratorate (Art 46), an optional arrest request decided within 48
hours with custody of at most 30 days (Art 47), the ruling within 30 days of receipt (Art 48), and on
revocation the end of community corrections (Art 45) and the hand-over for execution (Art 49).
``state`` follows ``workflows.REVOCATION``; change it only through ``services.revocation``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sifa.platform.orgs.models import Org
from sifa.platform.workflow.models import WorkflowModel

from ..workflows import ART_46, ART_49, REVOCATION
from .base import CorrectionsQuerySet
from .sanctions import Sanction
from .supervisee import CorrectionType, DecidingOrganKind, Supervisee


class RevocationState(models.TextChoices):
    """The states of ``workflows.REVOCATION`` with translatable labels (a test keeps them equal)."""

    DRAFTED = "drafted", _("待提请")  # opened from the decided proposal; not yet sent
    SENT = "sent", _("已提请")  # sent to the court / deciding organ, copied to the procuratorate
    RECEIVED = "received", _("待裁定")  # the court has it: 30 days to rule (Art 48)
    REVOKED = "revoked", _("已撤销，待交付执行")  # ruled: revoked / committed; corrections ended
    NOT_REVOKED = "not_revoked", _("不予撤销")  # ruled: not revoked; supervision continues
    HANDED_OVER = "handed_over", _("已交付执行")  # taken to prison / detention centre (Art 49)

    @classmethod
    def open(cls) -> tuple[str, ...]:
        return (cls.DRAFTED, cls.SENT, cls.RECEIVED, cls.REVOKED)


class ArrestDecision(models.TextChoices):
    APPROVED = "approved", _("决定逮捕")
    REFUSED = "refused", _("不予逮捕")


class RevocationRuling(models.TextChoices):
    REVOKED = "revoked", _("撤销缓刑、假释（收监执行）")
    NOT_REVOKED = "not_revoked", _("不予撤销（不予收监执行）")


class RevocationCase(WorkflowModel):
    """提请撤销缓刑、假释 / 暂予监外执行收监执行 — one decided revocation proposal, sent, ruled on and
    (if revoked) executed. Scoped through the supervisee's office; its tasks go to ``agency``."""

    workflow = REVOCATION

    supervisee = models.ForeignKey(
        Supervisee, verbose_name=_("社区矫正对象"), on_delete=models.PROTECT, related_name="revocation_cases"
    )
    sanction = models.OneToOneField(
        Sanction, verbose_name=_("提请撤销决定"), on_delete=models.PROTECT, related_name="revocation_case"
    )
    # The county-level agency (县级社区矫正机构) that makes the proposal and acts on it.
    agency = models.ForeignKey(
        Org, verbose_name=_("社区矫正机构"), on_delete=models.PROTECT, related_name="+"
    )
    receiving_body_kind = models.CharField(
        _("受理机关类型"), max_length=24, choices=DecidingOrganKind.choices, default=DecidingOrganKind.COURT
    )
    receiving_body = models.CharField(_("受理机关"), max_length=128)
    procuratorate = models.CharField(_("抄送人民检察院"), max_length=128)
    reasons = models.CharField(_("理由"), max_length=1000)
    evidence = models.CharField(_("证据材料"), max_length=1000)
    # Art 46: sent with the copy to the procuratorate at the same time.
    sent_on = models.DateField(_("送达日期"), null=True, blank=True)
    procuratorate_copy_on = models.DateField(_("抄送检察院日期"), null=True, blank=True)
    proposal_document = models.ForeignKey(
        "documents.Document",
        verbose_name=_("建议书"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    received_on = models.DateField(_("收到建议书日期"), null=True, blank=True)
    # Art 47: arrest request, decided within 48 hours; custody at most 30 days.
    arrest_requested_at = models.DateTimeField(_("提请逮捕时间"), null=True, blank=True)
    arrest_reason = models.CharField(_("提请逮捕理由"), max_length=500, blank=True, default="")
    arrest_decision = models.CharField(
        _("逮捕决定"), max_length=16, choices=ArrestDecision.choices, blank=True, default=""
    )
    arrest_decided_at = models.DateTimeField(_("逮捕决定时间"), null=True, blank=True)
    arrested_on = models.DateField(_("逮捕日期"), null=True, blank=True)
    # Art 48 (收监执行: Art 49): the ruling or decision.
    ruling = models.CharField(
        _("裁定（决定）结果"), max_length=16, choices=RevocationRuling.choices, blank=True, default=""
    )
    ruling_on = models.DateField(_("裁定（决定）日期"), null=True, blank=True)
    ruling_number = models.CharField(_("裁定书（决定书）文号"), max_length=100, blank=True, default="")
    # Art 49: handed over for execution.
    handed_over_on = models.DateField(_("交付执行日期"), null=True, blank=True)
    handed_over_to = models.CharField(_("执行场所"), max_length=128, blank=True, default="")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("立案时间"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CorrectionsQuerySet.as_manager()
    scope_org_field = "supervisee__org"
    juvenile_field = "supervisee__is_juvenile"

    class Meta:
        verbose_name = _("撤销缓刑、假释（收监执行）案件")
        verbose_name_plural = _("撤销缓刑、假释（收监执行）案件")
        ordering = ["-created_at", "-id"]
        permissions = [("handle_revocationcase", "办理提请撤销缓刑、假释、收监执行")]
        indexes = [models.Index(fields=["state", "created_at"])]
        constraints = [
            # Art 46: never "sent" without the copy to the procuratorate.
            models.CheckConstraint(
                condition=Q(sent_on__isnull=True) | Q(procuratorate_copy_on__isnull=False),
                name="corrections_revocation_sent_with_copy",
            ),
            models.CheckConstraint(
                condition=Q(received_on__isnull=True) | Q(received_on__gte=F("sent_on")),
                name="corrections_revocation_received_after_sent",
            ),
            models.CheckConstraint(
                condition=Q(ruling_on__isnull=True) | Q(ruling_on__gte=F("received_on")),
                name="corrections_revocation_ruling_after_receipt",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supervisee.name} {self.proposal_title}"

    def get_absolute_url(self) -> str:
        return reverse("corrections:revocation-detail", args=[self.pk])

    @property
    def is_committal(self) -> bool:
        """暂予监外执行: a proposal to commit to prison (收监执行), decided by the deciding organ (Art 49)."""
        return self.supervisee.correction_type == CorrectionType.TEMPORARY_RELEASE

    @property
    def proposal_title(self) -> str:
        titles: dict[str, str] = {
            CorrectionType.PROBATION: "撤销缓刑建议",
            CorrectionType.PAROLE: "撤销假释建议",
            CorrectionType.TEMPORARY_RELEASE: "收监执行建议",
        }
        return titles.get(self.supervisee.correction_type, "撤销缓刑、假释建议")

    @property
    def proposal_article(self) -> str:
        return ART_49 if self.is_committal else ART_46

    @property
    def state_label(self) -> str:
        return str(RevocationState(self.state).label)

    @property
    def is_open(self) -> bool:
        return self.state in RevocationState.open()

    @property
    def arrest_due(self) -> str:
        """The pending arrest decision's due moment (Art 47: 48 hours), as shown; the list page
        annotates ``arrest_due_at`` (empty on a row without the annotation)."""
        value = getattr(self, "arrest_due_at", None)
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""

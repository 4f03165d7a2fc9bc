from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sifa.platform.orgs.models import Division, Org
from sifa.platform.people.models import Person
from sifa.platform.workflow.models import WorkflowModel

from ..workflows import SUPERVISEE
from .base import CorrectionsQuerySet


class CorrectionType(models.TextChoices):
    CONTROL = "control", _("管制")
    PROBATION = "probation", _("缓刑")
    PAROLE = "parole", _("假释")
    TEMPORARY_RELEASE = "temporary_release", _("暂予监外执行")


class DecidingOrganKind(models.TextChoices):
    COURT = "court", _("人民法院")
    PRISON_ADMIN = "prison_admin", _("监狱管理机关")
    PUBLIC_SECURITY = "public_security", _("公安机关")


class SuperviseeStatus(models.TextChoices):
    """Explicit lifecycle states; transitions live in workflows.py, never in save()."""

    NOTIFIED = "notified", _("待报到")  # notice received, the reporting clock runs (Arts 20–22)
    REPORTED = "reported", _("已报到")  # reported in person; identity being checked
    UNDER_SUPERVISION = "under_supervision", _("在矫")  # registered, file opened, terms announced
    MISSING = "missing", _("脱管/未报到")  # search under way (Art 30)
    RELEASED = "released", _("解除矫正")  # Art 44
    TERMINATED = "terminated", _("终止矫正")  # Art 45

    @classmethod
    def active(cls) -> tuple[str, ...]:
        return (cls.NOTIFIED, cls.REPORTED, cls.UNDER_SUPERVISION, cls.MISSING)


class TerminationReason(models.TextChoices):
    REVOKED = "revoked", _("被裁定撤销缓刑、假释")
    COMMITTED = "committed", _("被决定收监执行")
    DEATH = "death", _("死亡")


class Supervisee(WorkflowModel):
    """A 社区矫正对象: one person serving one community sentence, supervised by one justice office.

    ``state`` (from WorkflowModel) follows the declared lifecycle ``workflows.SUPERVISEE``; change it
    only through ``services.transition_supervisee``.
    """

    workflow = SUPERVISEE

    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="+")
    org = models.ForeignKey(
        Org, verbose_name=_("负责司法所"), on_delete=models.PROTECT, related_name="supervisees"
    )
    name = models.CharField(_("姓名"), max_length=64)  # copied from the person: lists sort/filter on it
    sex = models.CharField(_("性别"), max_length=8)
    correction_type = models.CharField(_("矫正类别"), max_length=24, choices=CorrectionType.choices)
    deciding_organ = models.CharField(_("决定机关"), max_length=128)
    deciding_organ_kind = models.CharField(
        _("决定机关类型"), max_length=24, choices=DecidingOrganKind.choices, default=DecidingOrganKind.COURT
    )
    judgment_number = models.CharField(_("判决（裁定、决定）文号"), max_length=100, blank=True, default="")
    crime = models.CharField(_("罪名"), max_length=100)
    sentence = models.CharField(_("刑罚"), max_length=200)
    judgment_date = models.DateField(_("判决（裁定、决定）日期"))
    effective_date = models.DateField(_("生效日期"))
    notice_received_on = models.DateField(_("收到通知日期"))
    period_start = models.DateField(_("矫正期限起始日"))
    period_end = models.DateField(_("矫正期限届满日"))
    supervision_level = models.CharField(_("管理等级"), max_length=24, default="ordinary")
    is_juvenile = models.BooleanField(_("未成年人"), default=False)
    residence_division = models.ForeignKey(
        Division, verbose_name=_("执行地（区县）"), on_delete=models.PROTECT, related_name="+"
    )
    residence_address = models.CharField(_("居住地址"), max_length=255, blank=True, default="")
    # Intake (Arts 20–22).
    report_due = models.DateField(_("报到期限"))
    report_due_provisional = models.BooleanField(default=False)
    reported_on = models.DateField(_("报到日期"), null=True, blank=True)
    identity_verified = models.BooleanField(_("已核实身份"), default=False)
    registered_on = models.DateField(_("登记日期"), null=True, blank=True)
    file_number = models.CharField(_("档案编号"), max_length=64, blank=True, default="")
    announced_on = models.DateField(_("宣告日期"), null=True, blank=True)
    # End (Arts 44–45) and archives.
    ended_on = models.DateField(_("解除/终止日期"), null=True, blank=True)
    termination_reason = models.CharField(
        _("终止原因"), max_length=24, choices=TerminationReason.choices, blank=True, default=""
    )
    archive_number = models.CharField(_("归档号"), max_length=64, blank=True, default="")
    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True)
    certificate = models.ForeignKey(
        "documents.Document",
        verbose_name=_("解除社区矫正证明书"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CorrectionsQuerySet.as_manager()
    scope_org_field = "org"
    juvenile_field = "is_juvenile"

    class Meta:
        verbose_name = _("社区矫正对象")
        verbose_name_plural = _("社区矫正对象")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("view_juvenile", "查看未成年社区矫正对象"),
            ("report_supervisee", "办理报到、登记、宣告"),
            ("release_supervisee", "解除、终止社区矫正"),
        ]
        indexes = [
            models.Index(fields=["state", "report_due"]),
            models.Index(fields=["org", "state"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="corrections_supervisee_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_correction_type_display()}）"

    @property
    def is_active(self) -> bool:
        return self.state in SuperviseeStatus.active()

    @property
    def level_label(self) -> str:
        """The local class's label (宽管/普管/严管 by default; configurable [S])."""
        from ..config import current_rules

        return dict(current_rules().supervision_levels).get(self.supervision_level, self.supervision_level)

    @property
    def county_division_id(self) -> str:
        """The county this supervisee is supervised in: the residence county (offices share it)."""
        return self.residence_division_id


class SuperviseeEvent(models.Model):
    """One step on the supervisee's timeline: a transition or a recorded act, with its article."""

    supervisee = models.ForeignKey(Supervisee, on_delete=models.CASCADE, related_name="events")
    code = models.CharField(_("事件"), max_length=48)
    label = models.CharField(_("说明"), max_length=100)
    article = models.CharField(_("法律依据"), max_length=100, blank=True, default="")
    from_state = models.CharField(max_length=24, blank=True, default="")
    to_state = models.CharField(max_length=24, blank=True, default="")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    note = models.CharField(_("备注"), max_length=500, blank=True, default="")
    data = models.JSONField(default=dict, blank=True)

    objects = CorrectionsQuerySet.as_manager()
    scope_org_field = "supervisee__org"
    juvenile_field = "supervisee__is_juvenile"

    class Meta:
        verbose_name = _("矫正事件")
        verbose_name_plural = _("矫正事件")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.label}（{self.at:%Y-%m-%d}）"


class TeamRole(models.TextChoices):
    OFFICER = "officer", _("社区矫正机构工作人员")
    OFFICE = "office", _("司法所工作人员")
    SOCIAL_WORKER = "social_worker", _("社会工作者")
    VOLUNTEER = "volunteer", _("志愿者")
    COMMUNITY = "community", _("村（居）民委员会人员")
    FAMILY = "family", _("家庭成员或监护人")
    EMPLOYER = "employer", _("所在单位或学校人员")


class TeamMember(models.Model):
    """A member of the 矫正小组 (Art 25)."""

    supervisee = models.ForeignKey(Supervisee, on_delete=models.CASCADE, related_name="team")
    name = models.CharField(_("姓名"), max_length=64)
    role = models.CharField(_("身份"), max_length=24, choices=TeamRole.choices)
    sex = models.CharField(_("性别"), max_length=8, choices=[("male", _("男")), ("female", _("女"))])

    objects = CorrectionsQuerySet.as_manager()
    scope_org_field = "supervisee__org"
    juvenile_field = "supervisee__is_juvenile"

    class Meta:
        verbose_name = _("矫正小组成员")
        verbose_name_plural = _("矫正小组成员")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_role_display()}）"


class CorrectionPlan(models.Model):
    """The individual correction plan (Art 24); a new version each time it is adjusted."""

    supervisee = models.ForeignKey(Supervisee, on_delete=models.CASCADE, related_name="plans")
    version = models.PositiveIntegerField(_("版本"))
    content = models.TextField(_("矫正方案"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CorrectionsQuerySet.as_manager()
    scope_org_field = "supervisee__org"
    juvenile_field = "supervisee__is_juvenile"

    class Meta:
        verbose_name = _("矫正方案")
        verbose_name_plural = _("矫正方案")
        ordering = ["supervisee", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["supervisee", "version"], name="corrections_plan_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.supervisee.name} 矫正方案 v{self.version}"

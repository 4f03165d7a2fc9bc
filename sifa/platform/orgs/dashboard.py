from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from sifa.platform.ui.cards import Card

from .models import Org


def cards(user: Any) -> list[Card]:
    orgs = Org.objects.restrict(user, "view")
    if not user.has_perm("orgs.view_org"):
        return []
    by_kind = list(orgs.values("kind").annotate(n=Count("id")).order_by("-n"))
    labels = dict(Org._meta.get_field("kind").choices)  # type: ignore[arg-type]
    chart = {
        "tooltip": {},
        "xAxis": {
            "type": "category",
            "data": [str(labels.get(r["kind"], r["kind"])) for r in by_kind],
            "axisLabel": {"rotate": 30},
        },
        "yAxis": {"type": "value"},
        "series": [{"type": "bar", "data": [r["n"] for r in by_kind]}],
        "grid": {"bottom": 80},
    }
    return [
        Card(_("辖区内机构"), sum(r["n"] for r in by_kind), reverse("orgs:org-list"), "diagram-3"),
        Card(_("机构类型分布"), "", chart=chart),
    ]

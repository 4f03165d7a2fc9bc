from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from sifa.platform.ui.cards import Card

from . import selectors


def cards(user: Any) -> list[Card]:
    if not user.has_perm("corrections.view_supervisee"):
        return []
    stats = selectors.statistics(user)
    cards = [
        Card(_("在册社区矫正对象"), stats["active"], reverse("corrections:supervisee-list"), "person-badge"),
        Card(_("待审批外出"), stats["pending_leaves"], reverse("corrections:leave-list"), "signpost-split"),
        Card(
            _("逾期未报到/查找中"),
            stats["overdue_reports"] + stats["open_searches"],
            reverse("corrections:supervisee-list") + "?state=missing",
            "exclamation-triangle",
        ),
        Card(_("电子定位中"), stats["monitored"], reverse("corrections:order-list"), "geo-alt"),
    ]
    if user.has_perm("corrections.view_revocationcase"):
        cards.append(
            Card(
                _("办理中的撤销收监案件"),
                selectors.open_revocation_cases(user).count(),
                reverse("corrections:revocation-list"),
                "file-earmark-break",
            )
        )
    weeks = stats["breaches_per_week"]
    cards.append(
        Card(
            _("每周越界告警"),
            "",
            chart={
                "tooltip": {},
                "xAxis": {"type": "category", "data": [w for w, _n in weeks]},
                "yAxis": {"type": "value", "minInterval": 1},
                "series": [{"type": "line", "data": [n for _w, n in weeks]}],
            },
        )
    )
    return cards

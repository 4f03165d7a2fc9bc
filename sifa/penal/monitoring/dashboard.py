from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from sifa.platform.ui.cards import Card

from .selectors import open_alerts_for


def cards(user: Any) -> list[Card]:
    """Open (unresolved) monitoring alerts in the user's jurisdiction."""
    if not user.has_perm("monitoring.view_alert"):
        return []
    count = open_alerts_for(user).count()
    return [
        Card(_("辖区内待处置定位预警"), count, reverse("monitoring:alert-list") + "?status=open", "geo-alt")
    ]

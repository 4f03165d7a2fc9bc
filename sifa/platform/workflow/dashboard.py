from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from sifa.platform.ui.cards import Card

from .selectors import inbox_tasks, overdue_tasks


def cards(user: Any) -> list[Card]:
    if not user.has_perm("workflow.view_task"):
        return []
    mine = inbox_tasks(user)
    result = [Card(_("我的待办"), mine.count(), reverse("workflow:inbox"), "inbox")]
    if getattr(user, "scope_mode", "") == "org":
        result.append(
            Card(
                _("辖区超期待办"),
                overdue_tasks(user).count(),
                reverse("workflow:task-list") + "?status=open&warning=overdue",
                "exclamation-triangle",
            )
        )
    return result

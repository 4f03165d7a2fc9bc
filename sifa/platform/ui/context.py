from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from .nav import GROUPS, all_items


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    groups = []
    for key, label in GROUPS:
        entries = []
        for item in all_items():
            if item.group != key or (item.perm and not user.has_perm(item.perm)):
                continue
            try:
                url = reverse(item.url_name)
            except NoReverseMatch:
                continue
            entries.append(
                {
                    "label": item.label,
                    "url": url,
                    "icon": item.icon,
                    "active": request.path.startswith(url) and url != "/",
                }
            )
        if entries:
            groups.append({"key": key, "label": label, "items": entries})
    return {"nav_groups": groups}

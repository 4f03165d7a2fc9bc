"""Template context for every page: the navigation the user may see, where they are, the version."""

from __future__ import annotations

from functools import cache
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from .nav import GROUPS, all_items


@cache
def sifa_version() -> str:
    try:
        return version("sifa")
    except PackageNotFoundError:  # running from a checkout that was never pip-installed
        return "dev"


def navigation(request: HttpRequest) -> dict[str, Any]:
    context: dict[str, Any] = {"sifa_version": sifa_version()}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    groups = []
    current: dict[str, Any] | None = None
    for key, label in GROUPS:
        entries = []
        for item in all_items():
            if item.group != key or (item.perm and not user.has_perm(item.perm)):
                continue
            try:
                url = reverse(item.url_name)
            except NoReverseMatch:
                continue
            entry = {"label": item.label, "url": url, "icon": item.icon, "active": False}
            entries.append(entry)
            # The current item is the longest URL that prefixes the path (/people/ for /people/7/).
            longer = current is None or len(url) > len(current["url"])
            if url != "/" and request.path.startswith(url) and longer:
                current = {**entry, "group": label, "is_page": request.path == url}
        if entries:
            groups.append({"key": key, "label": label, "items": entries})
    if current is not None:
        for group in groups:
            for entry in group["items"]:
                entry["active"] = entry["url"] == current["url"]
    context.update(nav_groups=groups, nav_current=current)
    return context

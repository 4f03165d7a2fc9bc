"""API permission: model permission for the action, scoping does the rest (see orgs.scoping)."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission

from sifa.platform.orgs.scoping import permission_name

METHOD_ACTIONS = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


def action_for(request: Any, view: Any) -> str:
    """The permission verb a request needs: a viewset may name a statutory verb per action."""
    verbs = getattr(view, "action_verbs", {})
    return verbs.get(getattr(view, "action", None)) or METHOD_ACTIONS.get(request.method, "view")


class ScopedModelPermissions(BasePermission):
    """Authenticated users whose role grants ``app.<verb>_<model>``; public views opt out explicitly."""

    def has_permission(self, request: Any, view: Any) -> bool:
        if getattr(view, "public", False):
            return True
        user = request.user
        if not user or not user.is_authenticated:
            return False
        model = getattr(getattr(view, "queryset", None), "model", None) or getattr(view, "model", None)
        if model is None:
            return True
        return bool(user.has_perm(permission_name(model, action_for(request, view))))

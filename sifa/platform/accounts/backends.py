"""Authentication backend: password login (ModelBackend) + permissions from the user's role."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from .roles import role_allows


class RoleBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        """The session's user with its org: scoping reads ``user.org.path`` on every request."""
        UserModel = get_user_model()
        try:
            user = UserModel._default_manager.select_related("org").get(pk=user_id)
        except UserModel.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        if not user_obj.is_active or user_obj.is_anonymous:
            return False
        if user_obj.is_superuser:
            return True
        return role_allows(user_obj.role, perm)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return self.has_perm(user_obj, f"{app_label}.view_*") or user_obj.is_superuser

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()  # patterns, not rows: ask has_perm

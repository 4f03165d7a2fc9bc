"""The queryset every corrections model uses: jurisdiction scoping plus juvenile confidentiality.

Arts 52–58 (社区矫正法): records of juvenile supervisees are kept confidential. A user whose role does
not hold ``corrections.view_juvenile`` does not see them at all — not in lists, not in details (404,
like a missing row), not in statistics — because every read goes through ``restrict``.
"""

from __future__ import annotations

from typing import Any

from sifa.platform.orgs.scoping import ScopedQuerySet

VIEW_JUVENILE = "corrections.view_juvenile"


def may_view_juvenile(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_perm(VIEW_JUVENILE))


class CorrectionsQuerySet(ScopedQuerySet):
    def restrict(self, user: Any, action: str = "view") -> Any:
        qs = super().restrict(user, action)
        field = getattr(self.model, "juvenile_field", None)
        if field and not may_view_juvenile(user):
            qs = qs.exclude(**{field: True})
        return qs

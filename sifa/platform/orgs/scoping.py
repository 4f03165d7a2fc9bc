"""Jurisdiction scoping (分权分域): the one place that decides which rows a user may touch.

Every model that belongs to an org uses :class:`ScopedQuerySet` and declares how it reaches its org::

    class Supervisee(models.Model):
        org = models.ForeignKey(Org, ...)
        objects = ScopedQuerySet.as_manager()
        scope_org_field = "org"                 # or "case__org" for a row owned through a parent
        scope_owner_field = "citizen"           # optional: citizens see rows they own
        scope_assignee_field = "lawyer"         # optional: practitioners see rows assigned to them

``restrict(user, action)`` is applied by the base views and viewsets, so an endpoint cannot forget
it; single objects come from :func:`access_object`, which answers "not found" for missing and
forbidden alike (no existence oracle across jurisdictions); writes call :func:`ensure_in_scope`
inside the same transaction so a row moved out of the user's subtree rolls back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models
from django.http import Http404

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from sifa.platform.accounts.models import User

M = TypeVar("M", bound=models.Model)

STANDARD_ACTIONS = ("view", "add", "change", "delete")


def permission_name(model: type[models.Model], action: str) -> str:
    """``app_label.<action>_<model>``: the permission a role must hold for ``action`` on ``model``."""
    meta = model._meta
    return f"{meta.app_label}.{action}_{meta.model_name}"


def _org_path_lookup(model: type[models.Model]) -> str | None:
    if model._meta.label == "orgs.Org":
        return "path__startswith"
    field = getattr(model, "scope_org_field", None)
    return f"{field}__path__startswith" if field else None


def is_scoped_model(model: type[models.Model]) -> bool:
    return isinstance(getattr(model, "objects", None), models.Manager) and issubclass(
        model.objects._queryset_class,  # type: ignore[attr-defined]
        ScopedQuerySet,
    )


class ScopedQuerySet(models.QuerySet[M]):
    def restrict(self, user: User | AnonymousUser | None, action: str = "view") -> ScopedQuerySet[M]:
        """Rows of this queryset that ``user`` may ``action``; empty for anyone without the right."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        model = self.model
        if not user.has_perm(permission_name(model, action)):
            return self.none()
        if user.is_superuser:
            return self
        mode = user.scope_mode
        if mode == "org":
            lookup = _org_path_lookup(model)
            if lookup is None:  # reference data (divisions, statutes): permission alone decides
                return self
            return self.filter(**{lookup: user.org.path})  # type: ignore[union-attr]
        field = getattr(model, "scope_owner_field" if mode == "owner" else "scope_assignee_field", None)
        if not field:
            return self.none()
        return self.filter(**{field: user})


def access_object(user: Any, queryset: models.QuerySet[M] | type[M], pk: Any, action: str = "view") -> M:
    """The object ``pk`` if ``user`` may ``action`` it; Http404 for missing and forbidden alike."""
    qs: Any = queryset._default_manager.all() if isinstance(queryset, type) else queryset
    try:
        return qs.restrict(user, action).get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


class OutOfScope(Http404):
    """Raised inside a write's transaction when the result would leave the user's jurisdiction."""


def ensure_in_scope(user: Any, obj: models.Model, action: str = "change") -> None:
    """Re-check ``obj`` against the user's scope in the current transaction (call it after the write).

    Raising here rolls the whole write back, so nothing lands outside the actor's jurisdiction —
    e.g. a county clerk who edits a record's org to a neighbouring county.
    """
    model = type(obj)
    if not model.objects.restrict(user, action).filter(pk=obj.pk).exists():  # type: ignore[attr-defined]
        raise OutOfScope("object is outside the acting user's jurisdiction")

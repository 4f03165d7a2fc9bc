"""Base viewsets. Scoping is applied here, once, for every API endpoint."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from rest_framework import viewsets
from rest_framework.authentication import BaseAuthentication
from rest_framework.throttling import BaseThrottle, ScopedRateThrottle

from sifa.platform.orgs.scoping import ensure_in_scope

from .permissions import action_for


class ScopedModelViewSet(viewsets.ModelViewSet):
    """CRUD on a scoped model.

    * list/detail come from ``Model.objects.restrict(user, verb)`` — a detail outside the user's
      jurisdiction is 404, exactly like a missing one;
    * writes run in one transaction and re-check the saved object against the user's scope before
      commit, so a write cannot move a row out of the user's jurisdiction;
    * subclasses implement ``perform_create``/``perform_update`` via services (which audit).
    """

    def get_queryset(self) -> Any:
        base: Any = super().get_queryset()
        return base.restrict(self.request.user, action_for(self.request, self))

    def create(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        with transaction.atomic():
            return super().create(request, *args, **kwargs)

    def update(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        with transaction.atomic():
            return super().update(request, *args, **kwargs)

    def destroy(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        with transaction.atomic():
            return super().destroy(request, *args, **kwargs)

    def recheck(self, obj: Any, action: str = "change") -> None:
        ensure_in_scope(self.request.user, obj, action)


class ScopedReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    def get_queryset(self) -> Any:
        base: Any = super().get_queryset()
        return base.restrict(self.request.user, "view")


class PublicEndpointMixin:
    """Marks an endpoint public: anonymous allowed, rate-limited per client by the 'public' rate."""

    public = True
    authentication_classes: Sequence[type[BaseAuthentication]] = []
    throttle_classes: Sequence[type[BaseThrottle]] = [ScopedRateThrottle]
    throttle_scope = "public"

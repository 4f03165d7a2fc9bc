from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from sifa.platform.api.viewsets import ScopedReadOnlyViewSet

from ..models import StatutoryClock, Task
from ..selectors import inbox_tasks
from ..services import complete_task
from .serializers import StatutoryClockSerializer, TaskSerializer


class TaskViewSet(ScopedReadOnlyViewSet):
    """Tasks of the caller's jurisdiction; ``mine`` is the caller's inbox (待办); ``done`` marks one
    of the caller's own tasks done (someone else's is 404)."""

    queryset = Task.objects.select_related("org")
    serializer_class = TaskSerializer
    filterset_fields = ["status", "warning", "org", "assignee_role"]
    action_verbs = {"done": "change"}

    @extend_schema(responses=TaskSerializer(many=True))
    @action(detail=False, methods=["get"])
    def mine(self, request: Request) -> Response:
        page = self.paginate_queryset(inbox_tasks(request.user))
        return self.get_paginated_response(TaskSerializer(page, many=True).data)

    @extend_schema(request=None, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def done(self, request: Request, pk: Any = None) -> Response:
        task = self.get_object()
        try:
            task = complete_task(acting_user=request.user, task=task)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        return Response(TaskSerializer(task).data)


class StatutoryClockViewSet(ScopedReadOnlyViewSet):
    """Statutory deadline clocks of the caller's jurisdiction (due date, state, provisional)."""

    queryset = StatutoryClock.objects.select_related("content_type").prefetch_related("pauses", "extensions")
    serializer_class = StatutoryClockSerializer
    filterset_fields = ["state", "provisional", "org", "name"]

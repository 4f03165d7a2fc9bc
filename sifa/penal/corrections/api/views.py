from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from sifa.penal.corrections import services
from sifa.penal.corrections.models import LeaveApplication, MonitoringOrder, Supervisee
from sifa.platform.api.viewsets import ScopedModelViewSet

from .serializers import (
    DecisionSerializer,
    LeaveApplicationSerializer,
    MonitoringOrderSerializer,
    RegisterSerializer,
    ReportSerializer,
    SuperviseeEventSerializer,
    SuperviseeSerializer,
)


def _call(fn: Any, **kwargs: Any) -> Any:
    """Run a service; its refusals become API errors (field errors → 400, permission → 403)."""
    try:
        return fn(**kwargs)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        ) from exc
    except DjangoPermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc) or None) from exc


class SuperviseeViewSet(ScopedModelViewSet):
    """社区矫正对象 in the caller's jurisdiction (juvenile records only for roles allowed to see them).
    POST records the deciding organ's notice and starts the reporting clock."""

    queryset = Supervisee.objects.select_related("org", "person", "residence_division")
    serializer_class = SuperviseeSerializer
    filterset_fields = ["org", "state", "correction_type", "supervision_level", "residence_division"]
    http_method_names = ["get", "post", "head", "options"]
    action_verbs = {"report": "report", "register": "report", "timeline": "view"}

    @extend_schema(request=ReportSerializer, responses=SuperviseeSerializer)
    @action(detail=True, methods=["post"])
    def report(self, request: Request, pk: Any = None) -> Response:
        obj = self.get_object()
        data = ReportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = _call(services.record_report, acting_user=request.user, supervisee=obj, **data.validated_data)
        return Response(SuperviseeSerializer(row, context={"request": request}).data)

    @extend_schema(request=RegisterSerializer, responses=SuperviseeSerializer)
    @action(detail=True, methods=["post"])
    def register(self, request: Request, pk: Any = None) -> Response:
        obj = self.get_object()
        data = RegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = _call(
            services.register_supervisee, acting_user=request.user, supervisee=obj, **data.validated_data
        )
        return Response(SuperviseeSerializer(row, context={"request": request}).data)

    @extend_schema(responses=SuperviseeEventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def timeline(self, request: Request, pk: Any = None) -> Response:
        from sifa.penal.corrections.selectors import timeline

        obj = self.get_object()
        return Response(SuperviseeEventSerializer(timeline(request.user, obj), many=True).data)


class LeaveApplicationViewSet(ScopedModelViewSet):
    """外出申请. POST applies (routed to its tier); ``decide`` approves or refuses at the right tier."""

    queryset = LeaveApplication.objects.select_related("supervisee")
    serializer_class = LeaveApplicationSerializer
    filterset_fields = ["status", "tier", "kind", "supervisee"]
    http_method_names = ["get", "post", "head", "options"]
    action_verbs = {"decide": "view"}  # the service checks approve_leaveapplication and the tier

    @extend_schema(request=DecisionSerializer, responses=LeaveApplicationSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: Any = None) -> Response:
        obj = self.get_object()
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = _call(services.decide_leave, acting_user=request.user, leave=obj, **data.validated_data)
        return Response(LeaveApplicationSerializer(row, context={"request": request}).data)


class MonitoringOrderViewSet(ScopedModelViewSet):
    """电子定位决定 (Art 29). POST proposes (or renews with ``renews`` + ``reassessment``); ``decide``
    is for the county bureau's head only."""

    queryset = MonitoringOrder.objects.select_related("supervisee")
    serializer_class = MonitoringOrderSerializer
    filterset_fields = ["status", "ground", "supervisee"]
    http_method_names = ["get", "post", "head", "options"]
    action_verbs = {"decide": "view"}  # the service checks approve_monitoringorder and the head

    @extend_schema(request=DecisionSerializer, responses=MonitoringOrderSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: Any = None) -> Response:
        obj = self.get_object()
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = _call(services.decide_monitoring, acting_user=request.user, order=obj, **data.validated_data)
        return Response(MonitoringOrderSerializer(row, context={"request": request}).data)

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
from sifa.penal.corrections.models import LeaveApplication, MonitoringOrder, RevocationCase, Supervisee
from sifa.platform.api.viewsets import ScopedModelViewSet

from .serializers import (
    ArrestDecisionSerializer,
    ArrestRequestSerializer,
    DecisionSerializer,
    HandOverSerializer,
    LeaveApplicationSerializer,
    MonitoringOrderSerializer,
    RegisterSerializer,
    ReportSerializer,
    RevocationCaseSerializer,
    RevocationReceiptSerializer,
    RevocationSendSerializer,
    RulingSerializer,
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


class RevocationCaseViewSet(ScopedModelViewSet):
    """撤销缓刑、假释（收监执行）案件 (Arts 45–49). POST opens a case from a decided revocation proposal;
    each step is an action: ``send`` (with the procuratorate copy, Art 46), ``receive`` (starts the
    30-day ruling clock, Art 48), ``request_arrest`` / ``arrest_decision`` (48 hours, Art 47),
    ``ruling`` (revoked ends corrections, Art 45), ``hand_over`` (Art 49)."""

    queryset = RevocationCase.objects.select_related("supervisee", "sanction")
    serializer_class = RevocationCaseSerializer
    filterset_fields = ["state", "supervisee", "agency"]
    http_method_names = ["get", "post", "head", "options"]
    # The services check corrections.handle_revocationcase; scope decides which cases are found.
    action_verbs = {
        "send": "view",
        "receive": "view",
        "request_arrest": "view",
        "arrest_decision": "view",
        "ruling": "view",
        "hand_over": "view",
    }

    def _step(self, request: Request, serializer: type[serializers.Serializer], fn: Any) -> Response:
        case = self.get_object()
        data = serializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = _call(fn, acting_user=request.user, case=case, **data.validated_data)
        return Response(RevocationCaseSerializer(row, context={"request": request}).data)

    @extend_schema(request=RevocationSendSerializer, responses=RevocationCaseSerializer)
    @action(detail=True, methods=["post"])
    def send(self, request: Request, pk: Any = None) -> Response:
        return self._step(request, RevocationSendSerializer, services.send_revocation_proposal)

    @extend_schema(request=RevocationReceiptSerializer, responses=RevocationCaseSerializer)
    @action(detail=True, methods=["post"])
    def receive(self, request: Request, pk: Any = None) -> Response:
        return self._step(request, RevocationReceiptSerializer, services.record_court_receipt)

    @extend_schema(request=ArrestRequestSerializer, responses=RevocationCaseSerializer)
    @action(detail=True, methods=["post"], url_path="request-arrest")
    def request_arrest(self, request: Request, pk: Any = None) -> Response:
        return self._step(request, ArrestRequestSerializer, services.request_arrest)

    @extend_schema(request=ArrestDecisionSerializer, responses=RevocationCaseSerializer)
    @action(detail=True, methods=["post"], url_path="arrest-decision")
    def arrest_decision(self, request: Request, pk: Any = None) -> Response:
        return self._step(request, ArrestDecisionSerializer, services.record_arrest_decision)

    @extend_schema(request=RulingSerializer, responses=RevocationCaseSerializer)
    @action(detail=True, methods=["post"])
    def ruling(self, request: Request, pk: Any = None) -> Response:
        return self._step(request, RulingSerializer, services.record_ruling)

    @extend_schema(request=HandOverSerializer, responses=RevocationCaseSerializer)
    @action(detail=True, methods=["post"], url_path="hand-over")
    def hand_over(self, request: Request, pk: Any = None) -> Response:
        return self._step(request, HandOverSerializer, services.record_hand_over)

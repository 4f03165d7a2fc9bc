"""API: the OsmAnd device endpoint (not a user endpoint) and the scoped, read-only alert list."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle

from sifa.platform.api.viewsets import ScopedReadOnlyViewSet

from ..ingest import ingest_osmand
from ..models import Alert, RejectReason
from ..services import monitoring_settings
from .serializers import AlertSerializer

TOKEN_HEADER = "X-Sifa-Device-Token"  # noqa: S105 - a header name, not a secret


class DeviceIngestThrottle(SimpleRateThrottle):
    """Per client address, generous: one gateway may relay many devices. Per-device floods are
    limited (and counted) by the engine's token bucket, so this only guards the web process."""

    scope = "monitoring_ingest"

    def get_rate(self) -> str:
        return monitoring_settings().ingest_rate

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


@extend_schema(
    tags=["monitoring"],
    parameters=[
        OpenApiParameter("id", str, description="设备编号（或 deviceid）"),
        OpenApiParameter("lat", float),
        OpenApiParameter("lon", float),
        OpenApiParameter("timestamp", str, description="Unix 秒/毫秒或 ISO 8601"),
        OpenApiParameter("token", str, description="设备口令（登记时设置了口令的设备必填）"),
    ],
    request=OpenApiTypes.OBJECT,
    responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT, 403: OpenApiTypes.OBJECT},
)
class OsmAndIngestViewSet(viewsets.ViewSet):
    """OsmAnd / Traccar Client position reports (query string on GET or POST, form or JSON body).

    Devices are not users: they are recognised by their registered id (+ their token when one was
    set at registration). 200 means "received" — also when a fix was refused under Art 29 (no
    active monitoring order), so that the phone drops it instead of buffering personal data; 403
    means the device is unknown (or the token is wrong); 400 a malformed message.
    """

    public = True
    scope_exempt = "device ingest: devices authenticate by registered id and token; no user rows are listed"
    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []
    throttle_classes = [DeviceIngestThrottle]

    def _ingest(self, request: Request) -> Response:
        django_request = request._request
        token = django_request.GET.get("token") or django_request.headers.get(TOKEN_HEADER)
        report, error = ingest_osmand(
            query=django_request.META.get("QUERY_STRING", ""),
            body=django_request.body if django_request.method == "POST" else b"",
            content_type=django_request.content_type or "",
            token=token or None,
        )
        body = {"stored": report.stored, "rejected": {str(k): v for k, v in report.rejected.items()}}
        if error is not None:
            return Response({**body, "detail": error}, status=status.HTTP_400_BAD_REQUEST)
        refused = report.rejected.get(RejectReason.UNKNOWN_DEVICE, 0) + report.rejected.get(
            RejectReason.BAD_TOKEN, 0
        )
        if refused and refused == report.received:
            return Response({**body, "detail": "unknown device"}, status=status.HTTP_403_FORBIDDEN)
        return Response(body)

    def list(self, request: Request) -> Response:
        return self._ingest(request)

    def create(self, request: Request) -> Response:
        return self._ingest(request)


class AlertViewSet(ScopedReadOnlyViewSet):
    """Monitoring alerts of the caller's jurisdiction (juvenile supervisees hidden where required)."""

    queryset = Alert.objects.select_related("supervisee", "device")
    serializer_class = AlertSerializer
    filterset_fields = ["status", "kind", "supervisee", "org"]

from __future__ import annotations

from typing import Any

import django_filters
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

from sifa.platform.api.viewsets import ScopedModelViewSet, ScopedReadOnlyViewSet
from sifa.platform.documents.models import Attachment, Document

from .serializers import AttachmentSerializer, DocumentSerializer


class DocumentFilter(django_filters.FilterSet):
    template = django_filters.CharFilter(field_name="template__code")
    number = django_filters.CharFilter(lookup_expr="icontains")
    since = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
    until = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")

    class Meta:
        model = Document
        fields = ["template", "number", "org", "related_type", "related_id"]


class DocumentViewSet(ScopedReadOnlyViewSet):
    """Rendered documents (文书) in the caller's jurisdiction. Documents are made by the services of
    the procedures they belong to, so the API only reads them; the files come from the attachments."""

    queryset = Document.objects.select_related("template", "org").order_by("-created_at", "-id")
    serializer_class = DocumentSerializer
    filterset_class = DocumentFilter


class AttachmentFilter(django_filters.FilterSet):
    sha256 = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Attachment
        fields = ["org", "sha256", "related_type", "related_id", "content_type"]


class AttachmentViewSet(ScopedModelViewSet):
    """Attachments (附件): upload (multipart, field ``file``), list, read, download. Stored files
    are evidence, so there is no update or delete."""

    queryset = Attachment.objects.select_related("org").order_by("-uploaded_at", "-id")
    serializer_class = AttachmentSerializer
    filterset_class = AttachmentFilter
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    http_method_names = ["get", "post", "head", "options"]

    def initialize_request(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        from sifa.platform.documents.uploads import limit_upload_size

        limit_upload_size(request)  # before DRF parses the body
        return super().initialize_request(request, *args, **kwargs)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request: Any, pk: Any = None) -> FileResponse:
        from sifa.platform.documents.views import attachment_response

        return attachment_response(request.user, self.get_object())

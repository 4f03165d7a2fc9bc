from __future__ import annotations

import django_filters
from rest_framework.viewsets import ReadOnlyModelViewSet

from sifa.platform.api.viewsets import ScopedModelViewSet
from sifa.platform.orgs.models import Division, Org

from .serializers import DivisionSerializer, OrgSerializer


class OrgFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Org
        fields = ["name", "kind", "division", "parent", "is_active"]


class OrgViewSet(ScopedModelViewSet):
    queryset = Org.objects.select_related("division").order_by("path")
    serializer_class = OrgSerializer
    filterset_class = OrgFilter
    http_method_names = ["get", "post", "patch", "head", "options"]


class DivisionViewSet(ReadOnlyModelViewSet):
    """Reference data: every signed-in user may read the division table."""

    scope_exempt = "GB/T 2260 divisions are public reference data, the same for every jurisdiction"

    queryset = Division.objects.all()
    serializer_class = DivisionSerializer
    filterset_fields = ["level", "parent"]

from __future__ import annotations

from sifa.platform.api.viewsets import ScopedModelViewSet
from sifa.platform.people.models import Person

from .serializers import PersonSerializer


class PersonViewSet(ScopedModelViewSet):
    """People in the caller's jurisdiction; ID and phone numbers are write-only and shown masked."""

    queryset = Person.objects.select_related("org")
    serializer_class = PersonSerializer
    filterset_fields = ["org", "sex"]
    http_method_names = ["get", "post", "head", "options"]

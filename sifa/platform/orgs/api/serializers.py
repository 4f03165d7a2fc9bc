from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from sifa.platform.orgs.models import Division, Org


class DivisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Division
        fields = ["code", "name", "level", "parent"]


class OrgSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    division_name = serializers.CharField(source="division.name", read_only=True)

    class Meta:
        model = Org
        fields = [
            "id",
            "name",
            "kind",
            "kind_label",
            "division",
            "division_name",
            "parent",
            "depth",
            "uscc",
            "address",
            "phone",
            "lon_gcj02",
            "lat_gcj02",
            "is_active",
        ]
        read_only_fields = ["depth"]
        extra_kwargs = {"parent": {"required": True, "allow_null": False}}

    def validate_parent(self, parent: Org) -> Org:
        request = self.context["request"]
        if not Org.objects.restrict(request.user, "view").filter(pk=parent.pk).exists():
            # Same words as a missing org: a clerk learns nothing about other jurisdictions.
            raise serializers.ValidationError(_("上级机构不存在。"))
        return parent

    def validate_uscc(self, value: str) -> str:
        if value:
            from sifa.platform.people.protection import problem_message
            from sifa.platform.personal import ValidationProblem
            from sifa.platform.personal.identifiers import validate_uscc  # framework-free validator

            try:
                return validate_uscc(value).value
            except ValidationProblem as problem:
                raise serializers.ValidationError(problem_message(problem)) from problem
        return value

    def update(self, instance: Org, validated_data: dict[str, Any]) -> Org:
        from sifa.platform.orgs.services import update_org

        validated_data.pop("parent", None)
        return update_org(acting_user=self.context["request"].user, org=instance, **validated_data)

    def create(self, validated_data: dict[str, Any]) -> Org:
        from sifa.platform.orgs.services import create_org

        return create_org(acting_user=self.context["request"].user, **validated_data)

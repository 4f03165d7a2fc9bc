from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from sifa.platform.orgs.models import Org
from sifa.platform.people.models import Person
from sifa.platform.people.services import register_person


class PersonSerializer(serializers.ModelSerializer):
    id_number = serializers.CharField(label=_("身份证号"), write_only=True)
    phone = serializers.CharField(label=_("手机号"), write_only=True, required=False, allow_blank=True)
    org = serializers.PrimaryKeyRelatedField(label=_("登记机构"), queryset=Org.objects.all())

    class Meta:
        model = Person
        fields = [
            "id",
            "org",
            "name",
            "sex",
            "birth_date",
            "id_number",
            "id_number_masked",
            "phone",
            "phone_masked",
            "address",
            "created_at",
        ]
        read_only_fields = ["sex", "birth_date", "id_number_masked", "phone_masked", "created_at"]

    def validate_org(self, org: Org) -> Org:
        if not Org.objects.restrict(self.context["request"].user, "view").filter(pk=org.pk).exists():
            raise serializers.ValidationError(_("机构不存在。"))
        return org

    def create(self, validated_data: dict[str, Any]) -> Person:
        try:
            return register_person(acting_user=self.context["request"].user, **validated_data)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc

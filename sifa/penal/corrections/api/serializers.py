from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from sifa.penal.corrections import services
from sifa.penal.corrections.models import LeaveApplication, MonitoringOrder, Supervisee, SuperviseeEvent
from sifa.platform.orgs.models import Division, Org


def _service_errors(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(
        exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
    )


class SuperviseeEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = SuperviseeEvent
        fields = ["code", "label", "article", "from_state", "to_state", "at", "note"]


class SuperviseeSerializer(serializers.ModelSerializer):
    org = serializers.PrimaryKeyRelatedField(label=_("负责司法所"), queryset=Org.objects.all())
    residence_division = serializers.PrimaryKeyRelatedField(
        label=_("执行地（区县）"), queryset=Division.objects.all()
    )
    id_number = serializers.CharField(label=_("身份证号"), write_only=True)
    phone = serializers.CharField(label=_("手机号"), write_only=True, required=False, allow_blank=True)
    id_number_masked = serializers.CharField(source="person.id_number_masked", read_only=True)

    class Meta:
        model = Supervisee
        fields = [
            "id",
            "org",
            "name",
            "sex",
            "id_number",
            "id_number_masked",
            "phone",
            "correction_type",
            "deciding_organ",
            "deciding_organ_kind",
            "judgment_number",
            "crime",
            "sentence",
            "judgment_date",
            "effective_date",
            "notice_received_on",
            "period_start",
            "period_end",
            "supervision_level",
            "state",
            "is_juvenile",
            "residence_division",
            "residence_address",
            "report_due",
            "reported_on",
            "registered_on",
            "file_number",
            "ended_on",
            "archive_number",
        ]
        read_only_fields = [
            "sex",
            "state",
            "report_due",
            "reported_on",
            "registered_on",
            "file_number",
            "ended_on",
            "archive_number",
            "is_juvenile",
        ]
        extra_kwargs = {"notice_received_on": {"required": False}, "supervision_level": {"required": False}}

    def validate_org(self, org: Org) -> Org:
        if not Org.objects.restrict(self.context["request"].user, "view").filter(pk=org.pk).exists():
            raise serializers.ValidationError(_("机构不存在。"))
        return org

    def create(self, validated_data: dict[str, Any]) -> Supervisee:
        try:
            return services.receive_notice(acting_user=self.context["request"].user, **validated_data)
        except DjangoValidationError as exc:
            raise _service_errors(exc) from exc


class LeaveApplicationSerializer(serializers.ModelSerializer):
    supervisee = serializers.PrimaryKeyRelatedField(queryset=Supervisee.objects.all())

    class Meta:
        model = LeaveApplication
        fields = [
            "id",
            "supervisee",
            "kind",
            "destination",
            "reason",
            "start_date",
            "end_date",
            "days",
            "days_in_window",
            "tier",
            "status",
            "applied_on",
            "decided_at",
            "decision_note",
        ]
        read_only_fields = [
            "days",
            "days_in_window",
            "tier",
            "status",
            "applied_on",
            "decided_at",
            "decision_note",
        ]
        extra_kwargs = {"end_date": {"required": False}}

    def validate_supervisee(self, supervisee: Supervisee) -> Supervisee:
        user = self.context["request"].user
        if not Supervisee.objects.restrict(user, "view").filter(pk=supervisee.pk).exists():
            raise serializers.ValidationError(_("社区矫正对象不存在。"))
        return supervisee

    def create(self, validated_data: dict[str, Any]) -> LeaveApplication:
        try:
            return services.apply_leave(acting_user=self.context["request"].user, **validated_data)
        except DjangoValidationError as exc:
            raise _service_errors(exc) from exc


class MonitoringOrderSerializer(serializers.ModelSerializer):
    supervisee = serializers.PrimaryKeyRelatedField(queryset=Supervisee.objects.all())

    class Meta:
        model = MonitoringOrder
        fields = [
            "id",
            "supervisee",
            "ground",
            "ground_detail",
            "start_date",
            "end_date",
            "renews",
            "reassessment",
            "status",
            "decided_at",
            "decision_note",
            "lifted_on",
            "lift_reason",
        ]
        read_only_fields = ["status", "decided_at", "decision_note", "lifted_on", "lift_reason"]

    validate_supervisee = LeaveApplicationSerializer.validate_supervisee

    def create(self, validated_data: dict[str, Any]) -> MonitoringOrder:
        try:
            return services.propose_monitoring(acting_user=self.context["request"].user, **validated_data)
        except DjangoValidationError as exc:
            raise _service_errors(exc) from exc


class DecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField(label=_("是否批准"))
    note = serializers.CharField(label=_("审批意见"), required=False, allow_blank=True, max_length=500)


class ReportSerializer(serializers.Serializer):
    reported_on = serializers.DateField(label=_("报到日期"), required=False)
    identity_verified = serializers.BooleanField(label=_("已核实身份"), default=False)
    note = serializers.CharField(label=_("备注"), required=False, allow_blank=True, max_length=500)


class RegisterSerializer(serializers.Serializer):
    file_number = serializers.CharField(label=_("档案编号"), max_length=64)
    identity_verified = serializers.BooleanField(label=_("已核实身份"), required=False)
    note = serializers.CharField(label=_("备注"), required=False, allow_blank=True, max_length=500)

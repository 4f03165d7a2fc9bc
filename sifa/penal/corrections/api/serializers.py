from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from sifa.penal.corrections import services
from sifa.penal.corrections.models import (
    DecidingOrganKind,
    LeaveApplication,
    MonitoringOrder,
    RevocationCase,
    Sanction,
    Supervisee,
    SuperviseeEvent,
)
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


# --- revocation (Arts 46–49) ----------------------------------------------------------------------

REVOCATION_OPENING_FIELDS = [
    "sanction",
    "receiving_body_kind",
    "receiving_body",
    "procuratorate",
    "reasons",
    "evidence",
]
REVOCATION_STEP_FIELDS = [
    "supervisee",
    "agency",
    "state",
    "sent_on",
    "procuratorate_copy_on",
    "proposal_document",
    "received_on",
    "arrest_requested_at",
    "arrest_reason",
    "arrest_decision",
    "arrest_decided_at",
    "arrested_on",
    "ruling",
    "ruling_on",
    "ruling_number",
    "handed_over_on",
    "handed_over_to",
    "created_at",
]


class RevocationCaseSerializer(serializers.ModelSerializer):
    """A revocation case; POST opens one from a decided revocation proposal (``sanction``). Only the
    opening fields are written here: every later step has its own action."""

    sanction = serializers.PrimaryKeyRelatedField(label=_("提请撤销决定"), queryset=Sanction.objects.all())
    receiving_body_kind = serializers.ChoiceField(
        label=_("受理机关类型"), choices=DecidingOrganKind.choices, required=False
    )
    receiving_body = serializers.CharField(
        label=_("受理机关"), required=False, allow_blank=True, max_length=128
    )
    reasons = serializers.CharField(label=_("理由"), required=False, allow_blank=True, max_length=1000)

    class Meta:
        model = RevocationCase
        fields = ["id", *REVOCATION_OPENING_FIELDS, *REVOCATION_STEP_FIELDS]
        read_only_fields = REVOCATION_STEP_FIELDS

    def validate_sanction(self, sanction: Sanction) -> Sanction:
        if (
            not Sanction.objects.restrict(self.context["request"].user, "view")
            .filter(pk=sanction.pk)
            .exists()
        ):
            raise serializers.ValidationError(_("提请撤销决定不存在。"))
        return sanction

    def create(self, validated_data: dict[str, Any]) -> RevocationCase:
        try:
            return services.open_revocation_case(acting_user=self.context["request"].user, **validated_data)
        except DjangoValidationError as exc:
            raise _service_errors(exc) from exc


class RevocationSendSerializer(serializers.Serializer):
    sent_on = serializers.DateField(label=_("送达日期"))
    procuratorate_copy_on = serializers.DateField(
        label=_("抄送人民检察院日期"), required=False, allow_null=True
    )


class RevocationReceiptSerializer(serializers.Serializer):
    received_on = serializers.DateField(label=_("收到建议书日期"))


class ArrestRequestSerializer(serializers.Serializer):
    arrest_requested_at = serializers.DateTimeField(label=_("提请逮捕时间"))
    arrest_reason = serializers.CharField(label=_("提请逮捕理由"), max_length=500)


class ArrestDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField(label=_("是否决定逮捕"))
    arrest_decided_at = serializers.DateTimeField(label=_("决定时间"))
    arrested_on = serializers.DateField(label=_("逮捕日期"), required=False, allow_null=True)


class RulingSerializer(serializers.Serializer):
    revoked = serializers.BooleanField(label=_("是否撤销（收监执行）"))
    ruling_on = serializers.DateField(label=_("裁定（决定）日期"))
    ruling_number = serializers.CharField(label=_("裁定书（决定书）文号"), max_length=100)


class HandOverSerializer(serializers.Serializer):
    handed_over_on = serializers.DateField(label=_("交付执行日期"))
    handed_over_to = serializers.CharField(label=_("执行场所"), max_length=128)

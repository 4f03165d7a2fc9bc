from __future__ import annotations

from rest_framework import serializers

from ..models import Alert


class AlertSerializer(serializers.ModelSerializer):
    supervisee_name = serializers.CharField(source="supervisee.name", read_only=True)
    device_id = serializers.CharField(source="device.device_id", read_only=True, default="")

    class Meta:
        model = Alert
        fields = [
            "id",
            "supervisee",
            "supervisee_name",
            "device_id",
            "org",
            "kind",
            "occurred_at",
            "fence_label",
            "lat_wgs84",
            "lon_wgs84",
            "status",
            "ended_at",
            "acknowledged_at",
            "closed_at",
            "close_note",
            "escalated_at",
            "escalated_to",
            "created_at",
        ]
        read_only_fields = fields

from __future__ import annotations

from rest_framework import serializers

from ..models import ClockExtension, ClockPause, StatutoryClock, Task


class TaskSerializer(serializers.ModelSerializer):
    org_name = serializers.CharField(source="org.name", read_only=True)

    class Meta:
        model = Task
        fields = [
            "id",
            "org",
            "org_name",
            "title",
            "assignee_user",
            "assignee_role",
            "url",
            "clock",
            "due_date",
            "due_at",
            "provisional",
            "status",
            "warning",
            "created_at",
            "closed_at",
        ]
        read_only_fields = fields


class ClockPauseSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClockPause
        fields = ["paused_on", "resumed_on", "reason", "approver"]
        read_only_fields = fields


class ClockExtensionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClockExtension
        fields = ["length", "reason", "approver", "granted_on"]
        read_only_fields = fields


class StatutoryClockSerializer(serializers.ModelSerializer):
    object_type = serializers.SerializerMethodField()
    pauses = ClockPauseSerializer(many=True, read_only=True)
    extensions = ClockExtensionSerializer(many=True, read_only=True)

    class Meta:
        model = StatutoryClock
        fields = [
            "id",
            "org",
            "object_type",
            "object_id",
            "name",
            "label",
            "article",
            "unit",
            "length",
            "rolls",
            "start_date",
            "start_at",
            "stopped_on",
            "stopped_at",
            "due_date",
            "due_at",
            "provisional",
            "provisional_years",
            "state",
            "remaining",
            "checked_on",
            "pauses",
            "extensions",
        ]
        read_only_fields = fields

    def get_object_type(self, obj: StatutoryClock) -> str:
        return f"{obj.content_type.app_label}.{obj.content_type.model}"

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from sifa.legal_services.advice.models import AdviceQuestion
from sifa.legal_services.advice.services import ask_question
from sifa.platform.api.viewsets import PublicEndpointMixin, ScopedReadOnlyViewSet


class AskRequestSerializer(serializers.Serializer):
    question = serializers.CharField(label="问题", max_length=2000, allow_blank=True, trim_whitespace=False)


class CitedArticleSerializer(serializers.Serializer):
    law = serializers.CharField()
    article = serializers.CharField()
    text = serializers.CharField()
    link = serializers.CharField()
    score = serializers.FloatField()


class NextStepSerializer(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField()
    detail = serializers.CharField()
    service = serializers.CharField()
    law = serializers.CharField(allow_null=True)
    article = serializers.CharField(allow_null=True)
    deadline = serializers.CharField(allow_null=True)


class AnswerSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="the stored (masked) question, for a hand-over request")
    question_masked = serializers.CharField()
    category = serializers.CharField()
    category_label = serializers.CharField()
    confidence = serializers.FloatField()
    citations = CitedArticleSerializer(many=True)
    similar_questions = serializers.ListField(child=serializers.CharField())
    next_steps = NextStepSerializer(many=True)
    handover = serializers.BooleanField()
    handover_message = serializers.CharField(allow_blank=True)
    disclaimer = serializers.CharField()
    notes = serializers.ListField(child=serializers.CharField())


class AskViewSet(PublicEndpointMixin, viewsets.ViewSet):
    """PUBLIC: anonymous citizens ask a legal question (12348 online). Rate-limited per client."""

    @extend_schema(
        request=AskRequestSerializer,
        responses={200: AnswerSerializer, 400: OpenApiResponse(description="bad question")},
        auth=[],
    )
    def create(self, request: Request) -> Response:
        body = AskRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            record, answer = ask_question(question=body.validated_data["question"])
        except ValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        data: dict[str, Any] = {"id": record.pk, **answer.to_dict()}
        return Response(data, status=status.HTTP_200_OK)


class QuestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = AdviceQuestion
        fields = [
            "id",
            "question_masked",
            "category",
            "confidence",
            "cited",
            "handover",
            "handover_requested",
            "contact_masked",
            "review_status",
            "review_note",
            "reviewed_category",
            "reviewed_at",
            "created_at",
        ]


class QuestionViewSet(ScopedReadOnlyViewSet):
    """Staff: stored questions for knowledge-base review (masked; scoped to the province org)."""

    queryset = AdviceQuestion.objects.all()
    serializer_class = QuestionSerializer
    filterset_fields = ["category", "handover", "review_status"]

"""Errors in the user's language, naming the field: DRF's per-field dict plus a readable summary."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = serializers.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError) and isinstance(response.data, dict):
        view = context.get("view")
        serializer_class = getattr(view, "serializer_class", None)
        labels: dict[str, str] = {}
        if serializer_class is not None:
            try:
                labels = {name: str(f.label or name) for name, f in serializer_class().fields.items()}
            except Exception:
                labels = {}
        parts = []
        for field, messages in response.data.items():
            text = "；".join(str(m) for m in (messages if isinstance(messages, list) else [messages]))
            parts.append(f"{labels.get(field, field)}：{text}")
        response.data = {"errors": response.data, "detail": _("提交的内容有误：") + " ".join(parts)}
    return response

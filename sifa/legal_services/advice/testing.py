from __future__ import annotations

from typing import Any

from sifa.legal_services.advice.models import AdviceQuestion
from sifa.platform.testing.matrix import MatrixCase


def _question(org: Any, owner: Any) -> AdviceQuestion:
    return AdviceQuestion.objects.create(
        org=org,
        question_masked="公司拖欠工资怎么办",
        category="labor_dispute",
        confidence=0.42,
        handover=True,
    )


MATRIX = {"advice.AdviceQuestion": MatrixCase(make=_question)}

"""Asking, handing over to a person, and reviewing. The intelligence hub does the thinking; this
module stores what it must, masked, and audits staff actions."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sifa.intelligence.qa.answer import Answer, ask
from sifa.intelligence.text.normalize import QuestionError
from sifa.platform.audit.models import ChangeAction
from sifa.platform.audit.services import record_change, snapshot
from sifa.platform.orgs.models import Org, OrgKind
from sifa.platform.orgs.scoping import ensure_in_scope
from sifa.platform.people.protection import problem_message, protect_phone
from sifa.platform.personal import ValidationProblem

from .models import AdviceQuestion, ReviewStatus


def _intake_org() -> Org:
    org = Org.objects.filter(kind=OrgKind.JUSTICE_DEPARTMENT, parent__isnull=True).order_by("pk").first()
    if org is None:
        raise ValidationError(_("平台尚未配置省司法厅机构。"))
    return org


def ask_question(*, question: object, session_key: str = "") -> tuple[AdviceQuestion, Answer]:
    """Answer ``question`` and keep the masked question for review. Bad input → ValidationError on
    the field ``question`` with a Chinese message; nothing is stored."""
    try:
        answer = ask(question)
    except QuestionError as exc:
        raise ValidationError({"question": str(exc).removeprefix("question：")}) from exc
    with transaction.atomic():
        record = AdviceQuestion.objects.create(
            org=_intake_org(),
            question_masked=answer.question_masked,
            category=answer.category,
            confidence=answer.confidence,
            cited=[{"law": c.law, "article": c.article} for c in answer.citations],
            handover=answer.handover,
            session_key=session_key[:64],
        )
    return record, answer


def request_handover(*, question: AdviceQuestion, session_key: str, phone: str = "") -> AdviceQuestion:
    """The citizen asks for a lawyer to follow up (网上法律顾问); the phone is optional and encrypted."""
    if not session_key or question.session_key != session_key:
        raise ValidationError({"question": _("找不到该咨询记录。")})
    with transaction.atomic():
        question = AdviceQuestion.objects.select_for_update().get(pk=question.pk)
        if phone:
            try:
                protected = protect_phone(phone)
            except ValidationProblem as problem:
                raise ValidationError({"phone": problem_message(problem)}) from problem
            question.contact_token, question.contact_masked = protected.token, protected.masked
        question.handover_requested = True
        question.save(update_fields=["handover_requested", "contact_token", "contact_masked"])
    return question


def review_question(
    *, acting_user: Any, question: AdviceQuestion, note: str, category: str = ""
) -> AdviceQuestion:
    """Staff mark a low-confidence or handed-over question as reviewed, with what they changed and,
    when the classifier was wrong, the category the question really belongs to."""
    from sifa.intelligence.qa.classifier import CATEGORIES

    note = (note or "").strip()
    category = (category or "").strip()
    errors: dict[str, str] = {}
    if not note:
        errors["review_note"] = _("请填写复核意见，例如补充的知识库条目。")
    if category and category not in CATEGORIES:
        errors["reviewed_category"] = _("类别无效。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        question = AdviceQuestion.objects.select_for_update().get(pk=question.pk)
        before = snapshot(question)
        question.review_status, question.review_note = ReviewStatus.REVIEWED, note[:500]
        question.reviewed_category = category or question.category
        question.reviewed_at = timezone.now()
        question.save(update_fields=["review_status", "review_note", "reviewed_category", "reviewed_at"])
        ensure_in_scope(acting_user, question, "change")
        record_change(actor=acting_user, obj=question, action=ChangeAction.UPDATE, before=before)
    return question

"""The citizens' chat page (mobile first, no login) and the staff review pages."""

from __future__ import annotations

from typing import Any

import django_filters
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sifa.intelligence.qa.classifier import CATEGORY_LABELS_ZH
from sifa.platform.orgs.scoping import access_object
from sifa.platform.ui.pages import ScopedDetailView, ScopedListView

from .forms import AskForm, HandoverForm, ReviewForm
from .models import AdviceQuestion, ReviewStatus
from .ratelimit import over_limit
from .services import ask_question, request_handover, review_question

CONVERSATION_KEY = "advice_conversation"
MAX_TURNS_KEPT = 20


def _session_key(request: HttpRequest) -> str:
    if not request.session.session_key:
        request.session.save()
    return request.session.session_key or ""


def chat(request: HttpRequest) -> HttpResponse:
    turns = request.session.get(CONVERSATION_KEY, [])
    return render(
        request, "advice/chat.html", {"form": AskForm(), "turns": turns, "title": _("12348 智能法律咨询")}
    )


@require_POST
def ask_view(request: HttpRequest) -> HttpResponse:
    """HTMX (or plain form) post: answer, remember the turn in the session, render it."""
    form = AskForm(request.POST)
    template = "advice/_turn.html" if getattr(request, "htmx", False) else "advice/chat.html"
    context: dict[str, Any] = {"form": form, "title": _("12348 智能法律咨询")}
    if over_limit(request):
        context["error"] = _("提问过于频繁，请稍后再试。如情况紧急，请拨打 12348 热线。")
        return render(request, template, context, status=429)
    question = form.data.get("question", "")
    try:
        record, answer = ask_question(question=question, session_key=_session_key(request))
    except ValidationError as exc:
        context["error"] = " ".join(exc.message_dict.get("question", exc.messages))
        context["turns"] = request.session.get(CONVERSATION_KEY, [])
        return render(request, template, context, status=400 if template.endswith("_turn.html") else 200)
    turn = {"id": record.pk, "answer": answer.to_dict()}
    turns = [*request.session.get(CONVERSATION_KEY, []), turn][-MAX_TURNS_KEPT:]
    request.session[CONVERSATION_KEY] = turns
    if template.endswith("_turn.html"):
        return render(request, template, {"turn": turn, "handover_form": HandoverForm()})
    return redirect("advice:chat")


@require_POST
def handover_view(request: HttpRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(AdviceQuestion, pk=pk)
    form = HandoverForm(request.POST)
    form.is_valid()
    try:
        request_handover(
            question=question, session_key=_session_key(request), phone=form.cleaned_data.get("phone", "")
        )
    except ValidationError as exc:
        message = " ".join(" ".join(v) for v in exc.message_dict.values())
        return render(
            request, "advice/_handover.html", {"error": message, "pk": pk, "handover_form": form}, status=400
        )
    return render(request, "advice/_handover.html", {"done": True, "pk": pk})


class QuestionFilter(django_filters.FilterSet):
    category = django_filters.ChoiceFilter(
        label=gettext_lazy("类别"), choices=list(CATEGORY_LABELS_ZH.items())
    )
    handover = django_filters.BooleanFilter(label=gettext_lazy("转人工"))
    review_status = django_filters.ChoiceFilter(label=gettext_lazy("复核状态"), choices=ReviewStatus.choices)
    misclassified = django_filters.BooleanFilter(
        label=gettext_lazy("复核改正了类别"), method="filter_misclassified"
    )
    confidence_below = django_filters.NumberFilter(
        label=gettext_lazy("置信度低于"), field_name="confidence", lookup_expr="lt"
    )

    class Meta:
        model = AdviceQuestion
        fields: list[str] = []

    def filter_misclassified(self, queryset: Any, name: str, value: bool | None) -> Any:
        corrected = queryset.exclude(reviewed_category="").exclude(reviewed_category=F("category"))
        if value is None:
            return queryset
        return corrected if value else queryset.exclude(pk__in=corrected.values("pk"))


class QuestionReviewListView(ScopedListView):
    model = AdviceQuestion
    title = gettext_lazy("咨询问题复核")
    filterset_class = QuestionFilter
    export_name = "advice-questions"
    detail_url_name = "advice:question-detail"
    columns = (
        ("question_masked", gettext_lazy("问题（已脱敏）")),
        ("category", gettext_lazy("类别")),
        ("confidence", gettext_lazy("置信度")),
        ("handover", gettext_lazy("转人工")),
        ("review_status", gettext_lazy("复核状态")),
        ("reviewed_category", gettext_lazy("复核类别")),
        ("created_at", gettext_lazy("提问时间")),
    )


class QuestionDetailView(ScopedDetailView):
    model = AdviceQuestion
    template_name = "advice/question_detail.html"
    fields = (
        ("question_masked", gettext_lazy("问题（已脱敏）")),
        ("category", gettext_lazy("类别")),
        ("confidence", gettext_lazy("置信度")),
        ("cited", gettext_lazy("引用法条")),
        ("handover", gettext_lazy("转人工")),
        ("handover_requested", gettext_lazy("已申请人工")),
        ("contact_masked", gettext_lazy("联系电话")),
        ("review_status", gettext_lazy("复核状态")),
        ("review_note", gettext_lazy("复核意见")),
    )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        question = kwargs.get("object") or self.object
        context["review_form"] = kwargs.get("review_form") or ReviewForm(
            initial={
                "reviewed_category": question.reviewed_category or question.category,
                "review_note": question.review_note,
            }
        )
        return context


@login_required
@require_POST
def review_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a question reviewed; an empty note re-renders the page with the field error."""
    question = access_object(request.user, AdviceQuestion, pk, "change")
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            review_question(
                acting_user=request.user,
                question=question,
                note=form.cleaned_data["review_note"],
                category=form.cleaned_data["reviewed_category"],
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
        else:
            return redirect("advice:question-detail", pk=pk)
    view = QuestionDetailView(request=request, kwargs={"pk": pk}, object=question)
    return render(request, view.template_name, view.get_context_data(object=question, review_form=form))

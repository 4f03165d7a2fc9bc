"""Pages of the revocation procedure (社区矫正法 Arts 45–49): the open cases of the jurisdiction, the
case with its clocks and the form for each next step, and opening a case from a decided proposal.
Thin, like views.py: each step is a service call; a refusal comes back under its field."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import CharField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Cast
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_stubs_ext import StrOrPromise

from sifa.platform.orgs.scoping import access_object
from sifa.platform.ui.pages import ScopedDetailView, ScopedListView
from sifa.platform.workflow.models import StatutoryClock

from . import services
from .forms import (
    ArrestDecisionForm,
    ArrestRequestForm,
    HandOverForm,
    RevocationOpenForm,
    RevocationReceiptForm,
    RevocationSendForm,
    RulingForm,
)
from .models import RevocationCase, RevocationState, Sanction
from .services.revocation import default_receiving_body
from .views import _form_errors
from .workflows import ART_46, ART_47, ART_48, ART_49, HANDLE_REVOCATION


@dataclass(frozen=True)
class Step:
    """One next step of a case: its form, the service it calls, and when it is offered."""

    title: StrOrPromise
    article: str
    form: type[forms.Form]
    service: Callable[..., Any]
    offered: Callable[[RevocationCase], bool]


STEPS: dict[str, Step] = {
    "send": Step(
        gettext_lazy("送达建议书，同时抄送人民检察院"),
        ART_46,
        RevocationSendForm,
        services.send_revocation_proposal,
        lambda c: c.state == RevocationState.DRAFTED,
    ),
    "receive": Step(
        gettext_lazy("登记人民法院（决定机关）收到建议书"),
        ART_48,
        RevocationReceiptForm,
        services.record_court_receipt,
        lambda c: c.state == RevocationState.SENT,
    ),
    "request_arrest": Step(
        gettext_lazy("提请逮捕（人民法院应在48小时内决定）"),
        ART_47,
        ArrestRequestForm,
        services.request_arrest,
        lambda c: c.state in (RevocationState.SENT, RevocationState.RECEIVED) and not c.arrest_requested_at,
    ),
    "arrest_decision": Step(
        gettext_lazy("登记是否逮捕的决定"),
        ART_47,
        ArrestDecisionForm,
        services.record_arrest_decision,
        lambda c: bool(c.arrest_requested_at) and not c.arrest_decision and c.is_open and not c.ruling,
    ),
    "ruling": Step(
        gettext_lazy("登记裁定（决定）"),
        ART_48,
        RulingForm,
        services.record_ruling,
        lambda c: c.state == RevocationState.RECEIVED,
    ),
    "hand_over": Step(
        gettext_lazy("登记送交监狱、看守所执行"),
        ART_49,
        HandOverForm,
        services.record_hand_over,
        lambda c: c.state == RevocationState.REVOKED,
    ),
}


class RevocationCaseFilter(django_filters.FilterSet):
    # No state chosen lists the open cases (the list's purpose), so the empty choice says so.
    state = django_filters.ChoiceFilter(
        label=gettext_lazy("状态"),
        choices=RevocationState.choices,
        empty_label=gettext_lazy("办理中（未办结）"),
    )
    name = django_filters.CharFilter(
        label=gettext_lazy("社区矫正对象"), field_name="supervisee__name", lookup_expr="icontains"
    )

    class Meta:
        model = RevocationCase
        fields = ["state", "name"]


def _open_clock_due(name: str, field: str) -> Subquery:
    """The due date (or moment) of the case's open clock ``name``, as an annotation."""
    return Subquery(
        StatutoryClock.objects.filter(
            content_type=ContentType.objects.get_for_model(RevocationCase),
            object_id=Cast(OuterRef("pk"), CharField()),
            name=name,
            stopped_on__isnull=True,
        ).values(field)[:1]
    )


class RevocationCaseListView(ScopedListView):
    """The jurisdiction's revocation cases, open ones unless a state is chosen."""

    model = RevocationCase
    title = gettext_lazy("撤销缓刑、假释（收监执行）案件")
    filterset_class = RevocationCaseFilter
    export_name = "revocation_cases"
    detail_url_name = "corrections:revocation-detail"
    columns = (
        ("supervisee__name", gettext_lazy("社区矫正对象")),
        ("proposal_title", gettext_lazy("建议")),
        ("receiving_body", gettext_lazy("受理机关")),
        ("state_label", gettext_lazy("状态")),
        ("sent_on", gettext_lazy("送达日期")),
        ("ruling_due", gettext_lazy("裁定期限")),
        ("arrest_due", gettext_lazy("逮捕决定期限")),
        ("supervisee__org__name", gettext_lazy("负责司法所")),
    )

    def get_queryset(self) -> QuerySet[Any]:
        qs = (
            super()
            .get_queryset()
            .select_related("supervisee__org")
            .annotate(
                ruling_due=_open_clock_due("ruling", "due_date"),
                arrest_due_at=_open_clock_due("arrest_decision", "due_at"),
            )
        )
        if not self.request.GET.get("state"):
            qs = qs.filter(state__in=RevocationState.open())
        return qs


class RevocationCaseDetailView(ScopedDetailView):
    model = RevocationCase
    template_name = "corrections/revocation_detail.html"
    fields = (
        ("supervisee", gettext_lazy("社区矫正对象")),
        ("state_label", gettext_lazy("状态")),
        ("agency", gettext_lazy("社区矫正机构")),
        ("receiving_body", gettext_lazy("受理机关")),
        ("procuratorate", gettext_lazy("抄送人民检察院")),
        ("reasons", gettext_lazy("理由")),
        ("evidence", gettext_lazy("证据材料")),
        ("sent_on", gettext_lazy("送达日期")),
        ("procuratorate_copy_on", gettext_lazy("抄送检察院日期")),
        ("received_on", gettext_lazy("收到建议书日期")),
        ("arrest_requested_at", gettext_lazy("提请逮捕时间")),
        ("arrest_decision", gettext_lazy("逮捕决定")),
        ("arrest_decided_at", gettext_lazy("逮捕决定时间")),
        ("arrested_on", gettext_lazy("逮捕日期")),
        ("ruling", gettext_lazy("裁定（决定）结果")),
        ("ruling_on", gettext_lazy("裁定（决定）日期")),
        ("ruling_number", gettext_lazy("裁定书（决定书）文号")),
        ("handed_over_on", gettext_lazy("交付执行日期")),
        ("handed_over_to", gettext_lazy("执行场所")),
    )
    # A step whose POST failed: (name, bound form with its errors), shown instead of a blank form.
    failed: tuple[str, forms.Form] | None = None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        case: RevocationCase = self.object
        steps = []
        if self.request.user.has_perm(HANDLE_REVOCATION):
            for name, step in STEPS.items():
                if not step.offered(case):
                    continue
                form = self.failed[1] if self.failed and self.failed[0] == name else step.form(prefix=name)
                steps.append({"name": name, "step": step, "form": form})
        context["steps"] = steps
        return context


@login_required
@require_POST
def revocation_action(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """One step of the case, by name; a refusal re-renders the case page with the errors under the
    step's fields (nothing was saved: the service is one transaction)."""
    case = access_object(request.user, RevocationCase, pk, "view")
    step = STEPS.get(name)
    if step is None:
        raise Http404
    form = step.form(request.POST, prefix=name)
    if form.is_valid():
        try:
            step.service(acting_user=request.user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("无权执行此操作。"))
        else:
            messages.success(request, _("已办理：%(step)s") % {"step": step.title})
            return redirect("corrections:revocation-detail", pk=pk)
    view = RevocationCaseDetailView(failed=(name, form))
    view.setup(request, pk=pk)
    view.object = access_object(request.user, RevocationCase, pk, "view")
    return render(request, view.template_name, view.get_context_data(object=view.object), status=200)


@login_required
def revocation_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open the case for the decided revocation proposal ``pk`` (a Sanction), from the supervisee page."""
    if not request.user.has_perm("corrections.add_revocationcase"):
        raise PermissionDenied
    sanction = access_object(request.user, Sanction, pk, "view")
    existing = RevocationCase.objects.filter(sanction=sanction).first()
    if existing is not None:
        return redirect(existing)
    kind, body = default_receiving_body(sanction.supervisee)
    form = RevocationOpenForm(
        request.POST or None,
        initial={"receiving_body_kind": kind, "receiving_body": body, "reasons": sanction.reason},
    )
    if request.method == "POST" and form.is_valid():
        try:
            case = services.open_revocation_case(
                acting_user=request.user, sanction=sanction, **form.cleaned_data
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return redirect(case)
    title = _("启动撤销（收监执行）程序：%(name)s") % {"name": sanction.supervisee.name}
    return render(request, "corrections/form.html", {"form": form, "title": title})

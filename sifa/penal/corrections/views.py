"""Pages: lists with filters/export, the supervisee's file with its timeline, forms, statistics.
Thin: every write is a service call; refusals come back as field errors or a message."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import django_filters
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sifa.platform.orgs.scoping import access_object
from sifa.platform.ui.pages import ScopedDetailView, ScopedListView

from . import selectors, services
from .config import current_rules
from .forms import (
    DecisionForm,
    IntakeForm,
    LeaveForm,
    MonitoringForm,
    PlanForm,
    ResidenceChangeForm,
    TeamForm,
    ViolationForm,
)
from .models import (
    ApprovalStatus,
    CheckIn,
    CorrectionType,
    LeaveApplication,
    MonitoringOrder,
    ResidenceChange,
    Sanction,
    Supervisee,
    SuperviseeStatus,
    Violation,
)


class SuperviseeFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(label=gettext_lazy("姓名"), lookup_expr="icontains")
    state = django_filters.ChoiceFilter(label=gettext_lazy("状态"), choices=SuperviseeStatus.choices)
    correction_type = django_filters.ChoiceFilter(
        label=gettext_lazy("矫正类别"), choices=CorrectionType.choices
    )
    supervision_level = django_filters.ChoiceFilter(label=gettext_lazy("管理等级"), choices=())
    residence_division = django_filters.CharFilter(
        label=gettext_lazy("区县代码"), field_name="residence_division_id"
    )

    class Meta:
        model = Supervisee
        fields = ["name", "state", "correction_type", "supervision_level", "residence_division"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["supervision_level"].extra["choices"] = list(current_rules().supervision_levels)


class SuperviseeListView(ScopedListView):
    model = Supervisee
    title = gettext_lazy("社区矫正对象")
    filterset_class = SuperviseeFilter
    export_name = "supervisees"
    detail_url_name = "corrections:supervisee-detail"
    columns = (
        ("name", gettext_lazy("姓名")),
        ("correction_type", gettext_lazy("矫正类别")),
        ("level_label", gettext_lazy("管理等级")),
        ("state", gettext_lazy("状态")),
        ("residence_division__name", gettext_lazy("执行地")),
        ("org__name", gettext_lazy("负责司法所")),
        ("period_end", gettext_lazy("矫正期满")),
    )
    template_name = "corrections/supervisee_list.html"


class SuperviseeDetailView(ScopedDetailView):
    model = Supervisee
    template_name = "corrections/supervisee_detail.html"
    fields = (
        ("correction_type", gettext_lazy("矫正类别")),
        ("state", gettext_lazy("状态")),
        ("level_label", gettext_lazy("管理等级")),
        ("org", gettext_lazy("负责司法所")),
        ("residence_division", gettext_lazy("执行地")),
        ("deciding_organ", gettext_lazy("决定机关")),
        ("crime", gettext_lazy("罪名")),
        ("sentence", gettext_lazy("刑罚")),
        ("effective_date", gettext_lazy("生效日期")),
        ("report_due", gettext_lazy("报到期限")),
        ("period_start", gettext_lazy("矫正期限起始日")),
        ("period_end", gettext_lazy("矫正期限届满日")),
        ("file_number", gettext_lazy("档案编号")),
        ("archive_number", gettext_lazy("归档号")),
    )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        obj: Supervisee = self.object
        user = self.request.user
        context.update(
            events=selectors.timeline(user, obj),
            leaves=LeaveApplication.objects.restrict(user, "view").filter(supervisee=obj),
            orders=MonitoringOrder.objects.restrict(user, "view").filter(supervisee=obj),
            check_ins=obj.check_ins.filter(status="open"),
            residence_changes=obj.residence_changes.select_related("new_division")[:5],
            plan=obj.plans.first(),
            sanctions=obj.sanctions.select_related("revocation_case__supervisee", "document"),
            violations=[(v, services.suggestion_for(v)) for v in obj.violations.all()[:20]],
            team=obj.team.all(),
            leave_form=LeaveForm(),
            monitoring_form=MonitoringForm(),
            decision_form=DecisionForm(),
            active_order=selectors.active_monitoring_order(obj, obj.updated_at),
        )
        return context


class LeaveListView(ScopedListView):
    model = LeaveApplication
    title = gettext_lazy("外出审批")
    export_name = "leaves"
    columns = (
        ("supervisee__name", gettext_lazy("社区矫正对象")),
        ("kind", gettext_lazy("类型")),
        ("destination", gettext_lazy("目的地")),
        ("start_date", gettext_lazy("起始日")),
        ("end_date", gettext_lazy("返回日")),
        ("days", gettext_lazy("天数")),
        ("tier", gettext_lazy("审批层级")),
        ("status", gettext_lazy("状态")),
    )
    template_name = "corrections/leave_list.html"

    def get_queryset(self) -> Any:
        qs = super().get_queryset()
        status = self.request.GET.get("status", ApprovalStatus.PENDING)
        return qs.filter(status=status) if status in ApprovalStatus.values else qs


class MonitoringOrderListView(ScopedListView):
    model = MonitoringOrder
    title = gettext_lazy("电子定位决定")
    export_name = "monitoring_orders"
    columns = (
        ("supervisee__name", gettext_lazy("社区矫正对象")),
        ("ground", gettext_lazy("适用情形")),
        ("start_date", gettext_lazy("起始日期")),
        ("end_date", gettext_lazy("截止日期")),
        ("status", gettext_lazy("状态")),
        ("lifted_on", gettext_lazy("解除日期")),
    )
    template_name = "corrections/order_list.html"


def _form_errors(form: Any, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
def supervisee_create(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("corrections.add_supervisee"):
        raise PermissionDenied
    form = IntakeForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        upload = data.pop("document", None)
        try:
            supervisee = services.receive_notice(
                acting_user=request.user, files=[upload] if upload else [], **data
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("已接收，报到期限至 %(d)s。") % {"d": supervisee.report_due})
            return redirect("corrections:supervisee-detail", pk=supervisee.pk)
    return render(
        request, "corrections/form.html", {"form": form, "title": _("接收社区矫正对象"), "multipart": True}
    )


def _run(request: HttpRequest, fn: Callable[..., Any], **kwargs: Any) -> bool:
    """Run a service from a POSTed action button; report a refusal as a message, not a 500."""
    try:
        fn(acting_user=request.user, **kwargs)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            messages.error(request, f"{field}：{'；'.join(errors)}")
        return False
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("无权执行此操作。"))
        return False
    messages.success(request, _("已办理。"))
    return True


LIFECYCLE_ACTIONS: dict[str, Callable[[HttpRequest, Supervisee], bool]] = {
    "report": lambda r, s: _run(
        r, services.record_report, supervisee=s, identity_verified=r.POST.get("identity_verified") == "on"
    ),
    "register": lambda r, s: _run(
        r,
        services.register_supervisee,
        supervisee=s,
        file_number=r.POST.get("file_number", ""),
        identity_verified=True,
    ),
    "mark_missing": lambda r, s: _run(
        r, services.mark_missing, supervisee=s, reason=r.POST.get("reason", "")
    ),
    "found": lambda r, s: _run(r, services.record_found, supervisee=s, outcome=r.POST.get("outcome", "")),
    "release": lambda r, s: _run(r, services.release_supervisee, supervisee=s),
    "terminate": lambda r, s: _run(
        r,
        services.terminate_supervisee,
        supervisee=s,
        reason=r.POST.get("reason", ""),
        note=r.POST.get("note", ""),
    ),
}


@login_required
@require_POST
def supervisee_action(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    supervisee = access_object(request.user, Supervisee, pk, "view")
    handler = LIFECYCLE_ACTIONS.get(name)
    if handler is None:
        messages.error(request, _("未知操作。"))
    else:
        handler(request, supervisee)
    return redirect("corrections:supervisee-detail", pk=pk)


@login_required
def leave_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _form_page(
        request,
        pk,
        LeaveForm(request.POST or None),
        _("外出申请"),
        lambda s, d: services.apply_leave(acting_user=request.user, supervisee=s, **d),
    )


@login_required
def monitoring_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _form_page(
        request,
        pk,
        MonitoringForm(request.POST or None),
        _("提请使用电子定位"),
        lambda s, d: services.propose_monitoring(acting_user=request.user, supervisee=s, **d),
    )


@login_required
@require_POST
def leave_decide(request: HttpRequest, pk: int) -> HttpResponse:
    leave = access_object(request.user, LeaveApplication, pk, "view")
    _run(
        request,
        services.decide_leave,
        leave=leave,
        approve=request.POST.get("approve") == "1",
        note=request.POST.get("note", ""),
    )
    return redirect(request.POST.get("next") or "corrections:leave-list")


@login_required
@require_POST
def order_decide(request: HttpRequest, pk: int) -> HttpResponse:
    order = access_object(request.user, MonitoringOrder, pk, "view")
    _run(
        request,
        services.decide_monitoring,
        order=order,
        approve=request.POST.get("approve") == "1",
        note=request.POST.get("note", ""),
    )
    return redirect("corrections:supervisee-detail", pk=order.supervisee_id)


@login_required
def statistics_page(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("corrections.view_supervisee"):
        raise PermissionDenied
    stats = selectors.statistics(request.user)
    type_labels = dict(CorrectionType.choices)
    level_labels = dict(current_rules().supervision_levels)

    def pie(data: dict[str, int], labels: dict[str, Any]) -> str:
        return json.dumps(
            {
                "tooltip": {},
                "series": [
                    {
                        "type": "pie",
                        "radius": "65%",
                        "data": [{"name": str(labels.get(k, k)), "value": v} for k, v in data.items()],
                    }
                ],
            },
            ensure_ascii=False,
        )

    counties = stats["by_county"][:20]
    charts = [
        {"id": "by-type", "label": _("按矫正类别"), "option": pie(stats["by_type"], type_labels)},
        {"id": "by-level", "label": _("按管理等级"), "option": pie(stats["by_level"], level_labels)},
        {
            "id": "by-county",
            "label": _("按区县（前20）"),
            "option": json.dumps(
                {
                    "tooltip": {},
                    "grid": {"bottom": 80},
                    "xAxis": {
                        "type": "category",
                        "data": [c["residence_division__name"] for c in counties],
                        "axisLabel": {"rotate": 40},
                    },
                    "yAxis": {"type": "value"},
                    "series": [{"type": "bar", "data": [c["n"] for c in counties]}],
                },
                ensure_ascii=False,
            ),
        },
        {
            "id": "breaches",
            "label": _("每周越界告警"),
            "option": json.dumps(
                {
                    "tooltip": {},
                    "xAxis": {"type": "category", "data": [w for w, _n in stats["breaches_per_week"]]},
                    "yAxis": {"type": "value", "minInterval": 1},
                    "series": [{"type": "line", "data": [n for _w, n in stats["breaches_per_week"]]}],
                },
                ensure_ascii=False,
            ),
        },
    ]
    return render(
        request, "corrections/statistics.html", {"title": _("社区矫正统计"), "stats": stats, "charts": charts}
    )


@login_required
def violation_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the facts; the supervisee page then shows the sanction the rules suggest (Art 28)."""
    return _form_page(
        request,
        pk,
        ViolationForm(request.POST or None),
        _("记录违规"),
        lambda s, d: services.record_violation(acting_user=request.user, supervisee=s, **d),
    )


@login_required
@require_POST
def sanction_propose(request: HttpRequest, pk: int) -> HttpResponse:
    violation = access_object(request.user, Violation, pk, "view")
    _run(
        request,
        services.propose_sanction,
        supervisee=violation.supervisee_id,
        violation=violation,
        kind=request.POST.get("kind", ""),
        reason=request.POST.get("reason", ""),
    )
    return redirect("corrections:supervisee-detail", pk=violation.supervisee_id)


@login_required
@require_POST
def sanction_decide(request: HttpRequest, pk: int) -> HttpResponse:
    sanction = access_object(request.user, Sanction, pk, "view")
    _run(request, services.decide_sanction, sanction=sanction, note=request.POST.get("note", ""))
    return redirect("corrections:supervisee-detail", pk=sanction.supervisee_id)


def _form_page(
    request: HttpRequest, pk: int, form: Any, title: str, save: Callable[[Supervisee, dict[str, Any]], Any]
) -> HttpResponse:
    """GET shows the form; a valid POST calls ``save`` (a service) and returns to the supervisee."""
    supervisee = access_object(request.user, Supervisee, pk, "view")
    if request.method == "POST" and form.is_valid():
        try:
            save(supervisee, form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("无权执行此操作。"))
        else:
            return redirect("corrections:supervisee-detail", pk=pk)
    return render(request, "corrections/form.html", {"form": form, "title": f"{title}：{supervisee.name}"})


@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _form_page(
        request,
        pk,
        PlanForm(request.POST or None),
        _("矫正方案"),
        lambda s, d: services.save_correction_plan(
            acting_user=request.user, supervisee=s, content=d["content"]
        ),
    )


@login_required
def team_edit(request: HttpRequest, pk: int) -> HttpResponse:
    form = TeamForm(request.POST or None)
    return _form_page(
        request,
        pk,
        form,
        _("矫正小组"),
        lambda s, d: services.set_correction_team(
            acting_user=request.user, supervisee=s, members=form.members()
        ),
    )


@login_required
def residence_change_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _form_page(
        request,
        pk,
        ResidenceChangeForm(request.POST or None),
        _("执行地变更申请"),
        lambda s, d: services.apply_residence_change(acting_user=request.user, supervisee=s, **d),
    )


@login_required
@require_POST
def residence_change_decide(request: HttpRequest, pk: int) -> HttpResponse:
    change = access_object(request.user, ResidenceChange, pk, "view")
    if request.POST.get("complete") == "1":
        _run(request, services.complete_residence_change, change=change)
    else:
        _run(
            request,
            services.decide_residence_change,
            change=change,
            approve=request.POST.get("approve") == "1",
            note=request.POST.get("note", ""),
        )
    return redirect("corrections:supervisee-detail", pk=change.supervisee_id)


@login_required
@require_POST
def check_in_complete(request: HttpRequest, pk: int) -> HttpResponse:
    check_in = access_object(request.user, CheckIn, pk, "view")
    _run(request, services.complete_check_in, check_in=check_in, note=request.POST.get("note", ""))
    return redirect("corrections:supervisee-detail", pk=check_in.supervisee_id)

"""Pages: the inbox (待办), the jurisdiction's task and clock lists, and the holiday table admin."""

from __future__ import annotations

from typing import Any

import django_filters
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sifa.platform.calendar import NoticeConflict, NoticeFormatError, parse_notices
from sifa.platform.orgs.scoping import access_object
from sifa.platform.ui.pages import ScopedListView

from .forms import NoticeUploadForm
from .holidays import coverage, load_notices
from .machine import UnknownTransition
from .models import Notification, StatutoryClock, Task, TaskStatus
from .models.history import WORKFLOW_MODELS
from .selectors import inbox_tasks, unread_notifications
from .services import TransitionDenied, complete_task, transition

HOLIDAY_PERMISSION = "workflow.add_holidaynotice"


@login_required
@require_POST
def transition_view(request: HttpRequest, model_label: str, pk: int, name: str) -> HttpResponse:
    """The buttons of ``{% workflow_panel %}``: one transition, by name, for any workflow model.

    Missing and out-of-jurisdiction objects are 404 alike; the service checks the rest. An
    ``extend`` transition reads ``days`` from the form.
    """
    model = WORKFLOW_MODELS.get(model_label)
    if model is None:
        raise Http404
    obj = access_object(request.user, model, pk, "view")
    data: dict[str, Any] = {}
    if request.POST.get("days"):
        try:
            data["days"] = int(request.POST["days"])
        except ValueError:
            messages.error(request, _("延长天数应为整数。"))
            return redirect(_safe_next(request))
    try:
        transition(obj, name, acting_user=request.user, note=request.POST.get("note", "")[:2000], **data)
    except UnknownTransition:
        raise Http404 from None
    except TransitionDenied as exc:
        raise PermissionDenied(exc.reason) from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已办理：%(label)s") % {"label": model.workflow.get(name).label})
    return redirect(_safe_next(request))


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return "/"


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The logged-in user's open tasks, soonest due first, with near-due/overdue badges."""
    page = Paginator(inbox_tasks(request.user), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "workflow/inbox.html",
        {
            "title": _("待办"),
            "page_obj": page,
            "tasks": page.object_list,
            "notifications": unread_notifications(request.user),
        },
    )


@login_required
@require_POST
def task_done(request: HttpRequest, pk: int) -> HttpResponse:
    task = access_object(request.user, Task, pk, "view")
    try:
        complete_task(acting_user=request.user, task=task)
    except ValidationError as exc:
        messages.warning(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已办结：%(title)s") % {"title": task.title})
    return redirect("workflow:inbox")


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    updated = Notification.objects.filter(pk=pk, user_id=request.user.pk or 0).update(read=True)
    if not updated:
        raise Http404
    return redirect("workflow:inbox")


class TaskFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=gettext_lazy("状态"), choices=TaskStatus.choices)
    warning = django_filters.ChoiceFilter(
        label=gettext_lazy("预警"), choices=Task._meta.get_field("warning").choices
    )
    title = django_filters.CharFilter(label=gettext_lazy("事项"), lookup_expr="icontains")

    class Meta:
        model = Task
        fields = ["status", "warning", "title"]


class TaskListView(ScopedListView):
    """All tasks of the user's jurisdiction (for supervisors: who is late where)."""

    model = Task
    title = gettext_lazy("辖区待办")
    filterset_class = TaskFilter
    export_name = "tasks"
    columns = (
        ("title", gettext_lazy("事项")),
        ("org__name", gettext_lazy("所属机构")),
        ("assignee_user", gettext_lazy("承办人")),
        ("assignee_role", gettext_lazy("承办角色")),
        ("due_display", gettext_lazy("到期日")),
        ("warning", gettext_lazy("预警")),
        ("status", gettext_lazy("状态")),
    )


class ClockFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        label=gettext_lazy("计时状态"), choices=StatutoryClock._meta.get_field("state").choices
    )
    provisional = django_filters.BooleanFilter(label=gettext_lazy("暂定"))

    class Meta:
        model = StatutoryClock
        fields = ["state", "provisional"]


class ClockListView(ScopedListView):
    model = StatutoryClock
    title = gettext_lazy("法定期限")
    filterset_class = ClockFilter
    export_name = "clocks"
    columns = (
        ("label", gettext_lazy("期限")),
        ("article", gettext_lazy("法律依据")),
        ("org__name", gettext_lazy("所属机构")),
        ("start_display", gettext_lazy("起算日")),
        ("due_display", gettext_lazy("到期日")),
        ("state", gettext_lazy("计时状态")),
        ("provisional", gettext_lazy("暂定")),
    )


def _may_load_notices(user: object) -> bool:
    """A notice applies to the whole province: the permission, held at the top of the org tree."""
    if not user.has_perm(HOLIDAY_PERMISSION):  # type: ignore[attr-defined]
        return False
    org = getattr(user, "org", None)
    return bool(getattr(user, "is_superuser", False) or (org is not None and org.parent_id is None))


@login_required
def holidays_admin(request: HttpRequest) -> HttpResponse:
    """Years loaded vs package coverage vs provisional years, and the notice upload form."""
    if not _may_load_notices(request.user):
        raise PermissionDenied
    form = NoticeUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            text = upload.read().decode("utf-8-sig")
            notices = parse_notices(text, upload.name)
            result = load_notices(acting_user=request.user, notices=notices)
        except UnicodeDecodeError:
            form.add_error("file", _("文件不是 UTF-8 编码的文本。"))
        except NoticeFormatError as exc:
            for problem in exc.problems:
                form.add_error("file", problem)
        except NoticeConflict as exc:
            form.add_error("file", str(exc))
        else:
            years = "、".join(str(n.year) for n in notices)
            messages.success(
                request,
                _("已载入 %(years)s 年放假通知：%(h)s 天放假，%(w)s 天调休上班；%(n)s 个期限不再是暂定。")
                % {"years": years, "h": result.holidays, "w": result.workdays, "n": len(result.settled)},
            )
            return redirect("workflow:holidays")
    return render(
        request,
        "workflow/holidays.html",
        {"title": _("节假日通知"), "rows": coverage(), "form": form},
    )

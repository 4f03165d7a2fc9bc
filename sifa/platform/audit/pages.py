"""The searchable audit page for admins (scoped: a bureau head sees changes in the bureau's subtree)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from sifa.platform.ui.pages import ScopedListView

from .models import ChangeAction, ChangeLog, PersonalDataAccess


class ChangeLogFilter(django_filters.FilterSet):
    actor = django_filters.CharFilter(
        label=_("操作人"), field_name="actor__username", lookup_expr="icontains"
    )
    object_type = django_filters.CharFilter(label=_("对象类型"), lookup_expr="icontains")
    object_id = django_filters.CharFilter(label=_("对象编号"))
    action = django_filters.ChoiceFilter(label=_("动作"), choices=ChangeAction.choices)
    request_id = django_filters.CharFilter(label=_("请求编号"))
    since = django_filters.DateFilter(label=_("起始日期"), field_name="time", lookup_expr="date__gte")
    until = django_filters.DateFilter(label=_("截止日期"), field_name="time", lookup_expr="date__lte")

    class Meta:
        model = ChangeLog
        fields: list[str] = []


class ChangeLogListView(ScopedListView):
    model = ChangeLog
    title = _("审计日志")
    filterset_class = ChangeLogFilter
    export_name = "audit"
    columns = (
        ("time", _("时间")),
        ("actor__username", _("操作人")),
        ("action", _("动作")),
        ("object_type", _("对象类型")),
        ("object_repr", _("对象")),
        ("request_id", _("请求编号")),
    )


class AccessFilter(django_filters.FilterSet):
    actor = django_filters.CharFilter(
        label=_("查看人"), field_name="actor__username", lookup_expr="icontains"
    )
    object_type = django_filters.CharFilter(label=_("对象类型"), lookup_expr="icontains")

    class Meta:
        model = PersonalDataAccess
        fields: list[str] = []


class PersonalDataAccessListView(ScopedListView):
    model = PersonalDataAccess
    title = _("个人信息查看记录")
    filterset_class = AccessFilter
    export_name = "personal-data-access"
    columns = (
        ("time", _("时间")),
        ("actor__username", _("查看人")),
        ("object_type", _("对象类型")),
        ("object_id", _("对象编号")),
        ("field", _("字段")),
        ("purpose", _("用途")),
    )

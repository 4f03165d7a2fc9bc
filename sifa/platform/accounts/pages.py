from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from sifa.platform.ui.pages import ScopedListView

from .models import User
from .roles import Role


class UserFilter(django_filters.FilterSet):
    username = django_filters.CharFilter(label=_("用户名"), lookup_expr="icontains")
    role = django_filters.ChoiceFilter(label=_("角色"), choices=Role.choices)

    class Meta:
        model = User
        fields = ["username", "role"]


class UserListView(ScopedListView):
    model = User
    title = _("用户")
    filterset_class = UserFilter
    export_name = "users"
    columns = (
        ("username", _("用户名")),
        ("display_name", _("姓名")),
        ("role", _("角色")),
        ("org__name", _("所属机构")),
        ("last_login", _("最近登录")),
    )

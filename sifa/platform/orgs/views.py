from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sifa.platform.ui.pages import ScopedDetailView, ScopedListView

from .filters import OrgPageFilter
from .models import Org


class OrgListView(ScopedListView):
    model = Org
    title = _("机构")
    filterset_class = OrgPageFilter
    export_name = "orgs"
    detail_url_name = "orgs:org-detail"
    columns = (
        ("name", _("机构名称")),
        ("kind", _("类型")),
        ("division__name", _("所在区划")),
        ("parent__name", _("上级机构")),
        ("phone", _("联系电话")),
    )


class OrgDetailView(ScopedDetailView):
    model = Org
    fields = (
        ("name", _("机构名称")),
        ("kind", _("类型")),
        ("division", _("所在区划")),
        ("parent", _("上级机构")),
        ("uscc", _("统一社会信用代码")),
        ("address", _("地址")),
        ("phone", _("联系电话")),
    )

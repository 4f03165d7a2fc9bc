from django.utils.translation import gettext_lazy as _

from sifa.platform.ui.nav import NavItem

NAV_ITEMS = [
    NavItem(
        "penal",
        _("社区矫正对象"),
        "corrections:supervisee-list",
        perm="corrections.view_supervisee",
        icon="person-badge",
        order=10,
    ),
    NavItem(
        "penal",
        _("外出审批"),
        "corrections:leave-list",
        perm="corrections.view_leaveapplication",
        icon="signpost-split",
        order=11,
    ),
    NavItem(
        "penal",
        _("电子定位决定"),
        "corrections:order-list",
        perm="corrections.view_monitoringorder",
        icon="geo-alt",
        order=12,
    ),
    NavItem(
        "penal",
        _("撤销收监案件"),
        "corrections:revocation-list",
        perm="corrections.view_revocationcase",
        icon="file-earmark-break",
        order=13,
    ),
    NavItem(
        "penal",
        _("社区矫正统计"),
        "corrections:statistics",
        perm="corrections.view_supervisee",
        icon="bar-chart",
        order=14,
    ),
]

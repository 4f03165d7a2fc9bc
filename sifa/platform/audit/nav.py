from django.utils.translation import gettext_lazy as _

from sifa.platform.ui.nav import NavItem

NAV_ITEMS = [
    NavItem(
        "platform",
        _("审计日志"),
        "audit:changelog-list",
        perm="audit.view_changelog",
        icon="journal-check",
        order=80,
    ),
    NavItem(
        "platform",
        _("个人信息查看记录"),
        "audit:access-list",
        perm="audit.view_personaldataaccess",
        icon="eye",
        order=81,
    ),
]

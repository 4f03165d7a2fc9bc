from django.utils.translation import gettext_lazy as _

from sifa.platform.ui.nav import NavItem

NAV_ITEMS = [
    NavItem("platform", _("待办"), "workflow:inbox", icon="inbox", order=5),
    NavItem(
        "platform", _("辖区待办"), "workflow:task-list", perm="workflow.view_task", icon="list-check", order=6
    ),
    NavItem(
        "platform",
        _("法定期限"),
        "workflow:clock-list",
        perm="workflow.view_statutoryclock",
        icon="hourglass-split",
        order=7,
    ),
    NavItem(
        "platform",
        _("节假日通知"),
        "workflow:holidays",
        perm="workflow.add_holidaynotice",
        icon="calendar-week",
        order=90,
    ),
]

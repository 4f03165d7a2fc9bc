from django.utils.translation import gettext_lazy as _

from sifa.platform.ui.nav import NavItem

NAV_ITEMS = [
    NavItem(
        "penal",
        _("定位预警"),
        "monitoring:alert-list",
        perm="monitoring.view_alert",
        icon="geo-alt",
        order=40,
    ),
    NavItem(
        "penal",
        _("预警分布图"),
        "monitoring:province-map",
        perm="monitoring.view_alert",
        icon="map",
        order=41,
    ),
    NavItem(
        "penal",
        _("定位设备"),
        "monitoring:device-list",
        perm="monitoring.view_device",
        icon="smartwatch",
        order=42,
    ),
]

from django.utils.translation import gettext_lazy as _

from sifa.platform.ui.nav import NavItem

NAV_ITEMS = [
    NavItem("platform", _("用户"), "accounts:user-list", perm="accounts.view_user", icon="people", order=20)
]

from django.utils.translation import gettext_lazy as _

from sifa.platform.ui.nav import NavItem

NAV_ITEMS = [
    NavItem("platform", _("机构"), "orgs:org-list", perm="orgs.view_org", icon="diagram-3", order=10)
]

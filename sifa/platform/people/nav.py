from django.utils.translation import gettext_lazy as _

from sifa.platform.ui.nav import NavItem

NAV_ITEMS = [
    NavItem(
        "platform", _("人员"), "people:person-list", perm="people.view_person", icon="person-vcard", order=30
    )
]

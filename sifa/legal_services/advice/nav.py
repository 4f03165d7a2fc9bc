from django.utils.translation import gettext_lazy as _

from sifa.platform.ui.nav import NavItem

NAV_ITEMS = [
    NavItem("legal_services", _("智能咨询"), "advice:chat", icon="chat-dots", order=40),
    NavItem(
        "legal_services",
        _("咨询问题复核"),
        "advice:question-list",
        perm="advice.view_advicequestion",
        icon="clipboard-check",
        order=41,
    ),
    NavItem("legal_services", _("法规库"), "statutes:law-list", icon="book", order=42),
]

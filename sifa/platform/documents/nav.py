from django.utils.translation import gettext_lazy as _

from sifa.platform.ui.nav import NavItem

NAV_ITEMS = [
    NavItem(
        "platform",
        _("文书"),
        "documents:document-list",
        perm="documents.view_document",
        icon="file-earmark-text",
        order=40,
    ),
]

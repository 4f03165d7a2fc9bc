from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "sifa.platform.orgs"
    label = "orgs"
    verbose_name = _("机构与区划")

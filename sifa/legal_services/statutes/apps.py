from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatutesConfig(AppConfig):
    name = "sifa.legal_services.statutes"
    label = "statutes"
    verbose_name = _("法规库")

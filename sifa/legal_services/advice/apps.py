from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdviceConfig(AppConfig):
    name = "sifa.legal_services.advice"
    label = "advice"
    verbose_name = _("智能咨询")

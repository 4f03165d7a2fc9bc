from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CorrectionsConfig(AppConfig):
    name = "sifa.penal.corrections"
    label = "corrections"
    verbose_name = _("社区矫正")

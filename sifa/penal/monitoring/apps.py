from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "sifa.penal.monitoring"
    label = "monitoring"
    verbose_name = _("电子定位")

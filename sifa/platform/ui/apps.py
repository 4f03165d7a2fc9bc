from django.apps import AppConfig


class UiConfig(AppConfig):
    name = "sifa.platform.ui"
    label = "ui"

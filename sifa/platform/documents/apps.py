from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "sifa.platform.documents"
    label = "documents"

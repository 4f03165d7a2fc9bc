"""Documents: templates rendered to DOCX/PDF with CJK fonts, document numbers, attachments."""

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_templates(sender: AppConfig, **kwargs: Any) -> None:
    from .services import sync_templates

    sync_templates()


class DocumentsConfig(AppConfig):
    name = "sifa.platform.documents"
    label = "documents"

    def ready(self) -> None:
        # The shipped templates (catalog.py) exist as rows as soon as the tables do.
        post_migrate.connect(_sync_templates, sender=self, dispatch_uid="documents.sync_templates")

"""Reads for documents and attachments; always jurisdiction-scoped."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django.utils.translation import gettext as _

from sifa.platform.orgs.models import Org
from sifa.platform.orgs.scoping import access_object, is_scoped_model

from .models import Attachment


def attachments_of(user: Any, obj: models.Model) -> models.QuerySet[Attachment]:
    """Attachments related to ``obj`` that ``user`` may see, newest first."""
    return Attachment.objects.restrict(user, "view").filter(
        related_type=obj._meta.label, related_id=str(obj.pk)
    )


def resolve_related(user: Any, related_type: str, related_id: str) -> models.Model | None:
    """The object an upload is attached to, if ``user`` may change it; ValidationError otherwise.

    Only scoped models can be targets, and one outside the user's jurisdiction reads as missing.
    """
    related_type, related_id = (related_type or "").strip(), (related_id or "").strip()
    if not related_type and not related_id:
        return None
    missing = ValidationError({"related_id": _("关联对象不存在。")})
    try:
        model = apps.get_model(related_type)
    except (LookupError, ValueError):
        raise missing from None
    if not is_scoped_model(model):
        raise missing
    try:
        return access_object(user, model, related_id, "view")
    except Http404:
        raise missing from None


def upload_orgs(user: Any) -> models.QuerySet[Org]:
    """Orgs a user may file an attachment under: their jurisdiction."""
    return Org.objects.restrict(user, "view").only("id", "name", "path")

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from sifa.platform.documents.models import Attachment, Document
from sifa.platform.orgs.models import Org


class DocumentSerializer(serializers.ModelSerializer):
    template: Any = serializers.SlugRelatedField(slug_field="code", read_only=True)
    template_title = serializers.CharField(source="template.title", read_only=True)
    kind = serializers.CharField(source="template.kind", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)
    pdf_url = serializers.SerializerMethodField()
    docx_url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "org",
            "org_name",
            "template",
            "template_title",
            "kind",
            "number",
            "title",
            "context",
            "contains_personal_data",
            "related_type",
            "related_id",
            "pdf",
            "docx",
            "pdf_url",
            "docx_url",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields

    def _download(self, attachment_id: int | None) -> str | None:
        return reverse("attachment-download", args=[attachment_id]) if attachment_id else None

    def get_pdf_url(self, obj: Document) -> str | None:
        return self._download(obj.pdf_id)

    def get_docx_url(self, obj: Document) -> str | None:
        return self._download(obj.docx_id)


class AttachmentSerializer(serializers.ModelSerializer):
    # Optional at this layer: the service checks presence, size and type and names the field `file`.
    file = serializers.FileField(write_only=True, required=False, allow_empty_file=True, use_url=False)
    org = serializers.PrimaryKeyRelatedField(queryset=Org.objects.all(), required=False)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = [
            "id",
            "file",
            "org",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "contains_personal_data",
            "related_type",
            "related_id",
            "uploaded_by",
            "uploaded_at",
            "download_url",
        ]
        read_only_fields = ["original_name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"]

    def get_download_url(self, obj: Attachment) -> str:
        return reverse("attachment-download", args=[obj.pk])

    def validate_org(self, org: Org) -> Org:
        from sifa.platform.documents.services import too_large_error
        from sifa.platform.documents.uploads import upload_was_too_large

        request = self.context["request"]
        if upload_was_too_large(request):
            raise too_large_error()
        user = request.user
        if not Org.objects.restrict(user, "view").filter(pk=org.pk).exists():
            raise serializers.ValidationError(_("机构不存在。"))  # same words as a missing org
        return org

    def create(self, validated_data: dict[str, Any]) -> Attachment:
        from sifa.platform.documents.selectors import resolve_related
        from sifa.platform.documents.services import store_attachment, too_large_error
        from sifa.platform.documents.uploads import upload_was_too_large

        request = self.context["request"]
        if upload_was_too_large(request):
            raise too_large_error()
        user = request.user
        org = validated_data.get("org") or getattr(user, "org", None)
        if org is None:
            raise serializers.ValidationError({"org": [_("请选择所属机构。")]})
        return store_attachment(
            acting_user=user,
            org=org,
            uploaded_file=validated_data.get("file"),
            related=resolve_related(
                user, validated_data.get("related_type", ""), validated_data.get("related_id", "")
            ),
            contains_personal_data=validated_data.get("contains_personal_data", False),
        )

"""render_document: numbered, rendered, stored with SHA-256, audited; all or nothing."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from pypdf import PdfReader

from sifa.platform.audit.models import ChangeLog
from sifa.platform.documents import render
from sifa.platform.documents.models import Attachment, Document, DocumentNumberSequence, DocumentTemplate
from sifa.platform.documents.services import blob_name, render_document

from .conftest import EXAMPLE_ID, certificate_context, notice_context, stored_files

pytestmark = pytest.mark.django_db


def _pdf_text(path: Path) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(path).pages))


def test_release_certificate_is_numbered_rendered_and_stored_art44(
    tree: Any, users: dict[str, Any], media: Path
) -> None:
    """社区矫正法第四十四条: the agency issues 解除社区矫正证明书 when the correction period ends."""
    clerk = users["donghu_staff"]
    document = render_document(
        acting_user=clerk,
        org=tree.donghu,
        template_code="corrections.release_certificate",
        context=certificate_context(),
        related=tree.donghu_office,
        number_prefix="洪司社矫",
    )
    # The number's year is the issue date's year (2025), not today's.
    assert document.number == "洪司社矫〔2025〕第1号"
    assert document.title == "解除社区矫正证明书"
    assert document.contains_personal_data
    assert document.context["id_number"] == "110***********002X"
    assert EXAMPLE_ID not in str(document.context)
    assert (document.related_type, document.related_id) == ("orgs.Org", str(tree.donghu_office.pk))

    assert document.pdf is not None and document.docx is not None
    for attachment in (document.pdf, document.docx):
        path = media / blob_name(attachment.sha256)
        data = path.read_bytes()
        assert hashlib.sha256(data).hexdigest() == attachment.sha256
        assert attachment.size == len(data)
        assert attachment.contains_personal_data
        assert (attachment.related_type, attachment.related_id) == ("documents.Document", str(document.pk))
    assert document.pdf.content_type == "application/pdf"
    assert document.pdf.original_name == "解除社区矫正证明书（洪司社矫〔2025〕第1号）.pdf"
    text = _pdf_text(media / blob_name(document.pdf.sha256))
    assert "解除社区矫正证明书" in text and "洪司社矫〔2025〕第1号" in text
    assert "南昌市东湖区人民法院" in text and EXAMPLE_ID not in text
    assert "洪司社矫〔2025〕第1号" in render.docx_text((media / blob_name(document.docx.sha256)).read_bytes())

    logged = set(ChangeLog.objects.filter(actor=clerk).values_list("object_type", flat=True))
    assert {"documents.Document", "documents.Attachment", "documents.DocumentNumberSequence"} <= logged


def test_second_document_gets_the_next_number_and_the_default_prefix(
    tree: Any, users: dict[str, Any], media: Path
) -> None:
    make: dict[str, Any] = {
        "acting_user": users["donghu_staff"],
        "org": tree.donghu,
        "template_code": "platform.notice",
    }
    first = render_document(**make, context=notice_context())
    second = render_document(**make, context=notice_context(subject="关于第二事项的通知"))
    assert (first.number, second.number) == ("司通〔2026〕第1号", "司通〔2026〕第2号")
    assert second.title == "关于第二事项的通知"
    assert DocumentTemplate.objects.get(code="platform.notice").documents.count() == 2


def test_missing_and_invalid_fields_are_named_and_nothing_is_stored(
    tree: Any, users: dict[str, Any], media: Path
) -> None:
    bad = certificate_context(
        supervisee_name="", id_number="110105194912310021", period_start="2025-13-01", period_end="2025-05-01"
    )
    with pytest.raises(ValidationError) as caught:
        render_document(
            acting_user=users["donghu_staff"],
            org=tree.donghu,
            template_code="corrections.release_certificate",
            context=bad,
        )
    errors = caught.value.message_dict
    assert errors["supervisee_name"] == ["请填写社区矫正对象姓名。"]
    assert "校验码" in errors["id_number"][0]
    assert "YYYY-MM-DD" in errors["period_start"][0]
    assert not Document.objects.exists() and not DocumentNumberSequence.objects.exists()
    assert stored_files(media) == []


def test_period_end_before_start_is_refused(tree: Any, users: dict[str, Any], media: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        render_document(
            acting_user=users["donghu_staff"],
            org=tree.donghu,
            template_code="corrections.release_certificate",
            context=certificate_context(period_start="2025-06-01", period_end="2025-05-01"),
        )
    assert "period_end" in caught.value.message_dict


def test_unknown_template_is_a_field_error(tree: Any, users: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as caught:
        render_document(acting_user=users["donghu_staff"], org=tree.donghu, template_code="nope", context={})
    assert "template_code" in caught.value.message_dict


def test_a_clerk_cannot_issue_for_another_jurisdiction_and_nothing_remains(
    tree: Any, users: dict[str, Any], media: Path
) -> None:
    with pytest.raises(Http404):
        render_document(
            acting_user=users["donghu_staff"],
            org=tree.xunyang,
            template_code="platform.notice",
            context=notice_context(),
        )
    assert not Document.objects.exists() and not Attachment.objects.exists()
    assert not DocumentNumberSequence.objects.exists()
    assert stored_files(media) == []


def test_a_failed_render_keeps_no_file_no_row_and_no_number(
    tree: Any, users: dict[str, Any], media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make: dict[str, Any] = {
        "acting_user": users["donghu_staff"],
        "org": tree.donghu,
        "template_code": "platform.notice",
    }
    real = render.html_to_docx

    def broken(*args: Any, **kwargs: Any) -> bytes:
        raise OSError("disk full")

    monkeypatch.setattr(render, "html_to_docx", broken)  # the PDF is written, then the DOCX fails
    with pytest.raises(OSError, match="disk full"):
        render_document(**make, context=notice_context())
    assert stored_files(media) == []
    assert not Document.objects.exists() and not Attachment.objects.exists()

    monkeypatch.setattr(render, "html_to_docx", real)
    assert render_document(**make, context=notice_context()).number == "司通〔2026〕第1号"


def test_pdf_bytes_open_as_a_pdf(tree: Any, users: dict[str, Any], media: Path) -> None:
    document = render_document(
        acting_user=users["donghu_staff"],
        org=tree.donghu,
        template_code="platform.notice",
        context=notice_context(),
    )
    assert document.pdf is not None
    reader = PdfReader(io.BytesIO((media / blob_name(document.pdf.sha256)).read_bytes()))
    assert reader.metadata is not None and reader.metadata.title == "关于报送年度普法工作总结的通知"

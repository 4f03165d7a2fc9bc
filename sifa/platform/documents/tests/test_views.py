"""Pages and API: list/detail, upload with field errors, scoped downloads with the right headers."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from sifa.platform.audit.models import PersonalDataAccess
from sifa.platform.documents.models import Attachment, Document
from sifa.platform.documents.services import blob_name, render_document

from .conftest import certificate_context, notice_context, stored_files

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n%%EOF\n"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def certificate(tree: Any, users: dict[str, Any], media: Path) -> Document:
    return render_document(
        acting_user=users["donghu_staff"],
        org=tree.donghu,
        template_code="corrections.release_certificate",
        context=certificate_context(),
    )


def test_download_streams_the_pdf_with_type_name_and_logs_the_personal_data_read(
    certificate: Document, users: dict[str, Any], media: Path
) -> None:
    assert certificate.pdf is not None
    clerk = users["donghu_staff"]
    response = _client(clerk).get(reverse("documents:attachment-download", args=[certificate.pdf.pk]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert hashlib.sha256(body).hexdigest() == certificate.pdf.sha256
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''" in disposition  # RFC 5987: the Chinese file name survives
    access = PersonalDataAccess.objects.get(
        object_type="documents.Attachment", object_id=str(certificate.pdf.pk)
    )
    assert access.actor == clerk and access.org_id == certificate.org_id


def test_download_of_another_jurisdictions_attachment_is_404_and_not_logged(
    certificate: Document, users: dict[str, Any]
) -> None:
    assert certificate.pdf is not None
    pk = certificate.pdf.pk
    for url in (reverse("documents:attachment-download", args=[pk]), f"/api/attachments/{pk}/download/"):
        response = _client(users["xunyang_staff"]).get(url)
        assert response.status_code == 404, url
    missing = _client(users["xunyang_staff"]).get(reverse("documents:attachment-download", args=[pk + 999]))
    assert missing.status_code == 404
    assert not PersonalDataAccess.objects.exists()
    anonymous = Client().get(reverse("documents:attachment-download", args=[pk]))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_province_sees_the_county_document_and_downloads_the_docx(
    certificate: Document, users: dict[str, Any]
) -> None:
    assert certificate.docx is not None
    province = _client(users["province_admin"])
    page = province.get(reverse("documents:document-detail", args=[certificate.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert certificate.number in html and "110***********002X" in html
    assert reverse("documents:attachment-download", args=[certificate.docx.pk]) in html
    response = province.get(f"/api/attachments/{certificate.docx.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessing")


def test_document_list_filters_by_template_and_exports(
    tree: Any, users: dict[str, Any], certificate: Document
) -> None:
    render_document(
        acting_user=users["donghu_staff"],
        org=tree.donghu,
        template_code="platform.notice",
        context=notice_context(),
    )
    client = _client(users["donghu_staff"])
    url = reverse("documents:document-list")
    response = client.get(url, {"template": str(certificate.template_id)})
    numbers = [row["obj"].number for row in response.context["rows"]]
    assert numbers == [certificate.number]
    export = client.get(url, {"template": str(certificate.template_id), "export": "csv"})
    assert certificate.number in export.content.decode("utf-8-sig")
    api = APIClient()
    api.force_login(users["donghu_staff"])
    listed = api.get("/api/documents/", {"template": "platform.notice"}).json()["results"]
    assert [d["template"] for d in listed] == ["platform.notice"]
    assert listed[0]["pdf_url"].endswith("/download/")


def test_document_create_page_shows_field_errors_then_renders(
    tree: Any, users: dict[str, Any], media: Path
) -> None:
    client = _client(users["donghu_staff"])
    url = reverse("documents:document-create")
    assert "解除社区矫正证明书" in client.get(url).content.decode()
    bad = {
        **certificate_context(id_number="123"),
        "template": "corrections.release_certificate",
        "org": tree.donghu.pk,
    }
    response = client.post(url, bad)
    assert response.status_code == 200
    assert 'data-field="id_number"' in response.content.decode()
    assert not Document.objects.exists() and stored_files(media) == []
    good = {
        **certificate_context(),
        "template": "corrections.release_certificate",
        "org": tree.donghu.pk,
        "number_prefix": "洪司社矫",
    }
    response = client.post(url, good)
    document = Document.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/documents/{document.pk}/")
    assert document.number == "洪司社矫〔2025〕第1号"


def test_upload_page_shows_the_error_under_the_file_field_and_stores_nothing(
    tree: Any, users: dict[str, Any], media: Path
) -> None:
    client = _client(users["donghu_staff"])
    url = reverse("documents:attachment-upload")
    fake = SimpleUploadedFile("判决书.pdf", b"\x89PNG\r\n\x1a\n0000", content_type="application/pdf")
    response = client.post(url, {"file": fake, "org": tree.donghu.pk})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-field="file"' in html and "内容却是 PNG" in html
    htmx = client.post(url, {"org": tree.donghu.pk}, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 200 and "请选择要上传的文件。" in htmx.content.decode()
    assert "<html" not in htmx.content.decode()  # only the form is swapped
    assert not Attachment.objects.exists() and stored_files(media) == []


def test_upload_page_stores_the_file_against_a_document(
    tree: Any, users: dict[str, Any], media: Path, certificate: Document
) -> None:
    client = _client(users["donghu_staff"])
    upload = SimpleUploadedFile("送达回证.pdf", PDF_BYTES, content_type="application/pdf")
    response = client.post(
        reverse("documents:attachment-upload"),
        {
            "file": upload,
            "org": tree.donghu.pk,
            "related_type": "documents.Document",
            "related_id": str(certificate.pk),
        },
        HTTP_HX_REQUEST="true",
    )
    attachment = Attachment.objects.get(original_name="送达回证.pdf")
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("documents:attachment-detail", args=[attachment.pk])
    assert attachment.related_id == str(certificate.pk) and attachment.uploaded_by == users["donghu_staff"]
    detail = client.get(reverse("documents:document-detail", args=[certificate.pk])).content.decode()
    assert "送达回证.pdf" in detail


def test_upload_cannot_attach_to_another_jurisdictions_object(
    tree: Any, users: dict[str, Any], media: Path, certificate: Document
) -> None:
    client = _client(users["xunyang_staff"])
    response = client.post(
        reverse("documents:attachment-upload"),
        {
            "file": SimpleUploadedFile("x.pdf", PDF_BYTES),
            "org": tree.xunyang.pk,
            "related_type": "documents.Document",
            "related_id": str(certificate.pk),
        },
    )
    assert response.status_code == 400
    assert not Attachment.objects.filter(original_name="x.pdf").exists()


def test_api_upload_returns_sha256_and_refuses_bad_files_by_field(
    tree: Any, users: dict[str, Any], media: Path
) -> None:
    api = APIClient()
    api.force_login(users["donghu_staff"])
    created = api.post(
        "/api/attachments/", {"file": SimpleUploadedFile("a.pdf", PDF_BYTES)}, format="multipart"
    )
    assert created.status_code == 201, created.content
    assert created.json()["sha256"] == hashlib.sha256(PDF_BYTES).hexdigest()
    assert created.json()["org"] == tree.donghu.pk  # the uploader's org by default
    bad = api.post("/api/attachments/", {"file": SimpleUploadedFile("a.pdf", b"MZ\x90")}, format="multipart")
    assert bad.status_code == 400
    assert "内容却不是 PDF" in bad.json()["errors"]["file"][0]
    foreign = api.post(
        "/api/attachments/",
        {"file": SimpleUploadedFile("b.pdf", PDF_BYTES), "org": tree.xunyang.pk},
        format="multipart",
    )
    assert foreign.status_code == 400 and "org" in foreign.json()["errors"]
    assert Attachment.objects.count() == 1
    citizen = APIClient()
    citizen.force_login(users["citizen_a"])
    denied = citizen.post(
        "/api/attachments/", {"file": SimpleUploadedFile("c.pdf", PDF_BYTES)}, format="multipart"
    )
    assert denied.status_code == 403
    assert Attachment.objects.count() == 1


def test_store_attachment_accepts_the_django_upload_handlers_temporary_files(
    tree: Any, users: dict[str, Any], media: Path, settings: Any
) -> None:
    """Uploads above FILE_UPLOAD_MAX_MEMORY_SIZE arrive as temporary files on disk."""
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10
    client = _client(users["donghu_staff"])
    content = PDF_BYTES + b"x" * 5000
    client.post(
        reverse("documents:attachment-upload"),
        {"file": SimpleUploadedFile("big.pdf", content), "org": tree.donghu.pk},
    )
    attachment = Attachment.objects.get()
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert (media / blob_name(attachment.sha256)).read_bytes() == content


def test_oversize_upload_is_dropped_while_streaming_with_a_size_error(
    tree: Any, users: dict[str, Any], media: Path, settings: Any
) -> None:
    """The page and the API both stop keeping the file once it passes the limit, and say why."""
    settings.SIFA_UPLOAD_MAX_BYTES = 1024
    big = PDF_BYTES + b"x" * 4096
    page = _client(users["donghu_staff"]).post(
        reverse("documents:attachment-upload"),
        {"file": SimpleUploadedFile("big.pdf", big), "org": tree.donghu.pk},
    )
    assert page.status_code == 400
    assert "文件过大，上限为 1.0" in page.content.decode()
    api = APIClient()
    api.force_login(users["donghu_staff"])
    response = api.post("/api/attachments/", {"file": SimpleUploadedFile("big.pdf", big)}, format="multipart")
    assert response.status_code == 400
    assert response.json()["errors"]["file"][0].startswith("文件过大")
    assert not Attachment.objects.exists() and stored_files(media) == []


def test_upload_page_still_requires_a_csrf_token(tree: Any, users: dict[str, Any], media: Path) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["donghu_staff"])
    response = client.post(
        reverse("documents:attachment-upload"),
        {"file": SimpleUploadedFile("a.pdf", PDF_BYTES), "org": tree.donghu.pk},
    )
    assert response.status_code == 403
    assert not Attachment.objects.exists()

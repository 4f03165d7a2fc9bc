"""Uploads: size and type limits by content, SHA-256, content-addressed storage, nothing half-kept."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from sifa.platform.audit.models import ChangeLog
from sifa.platform.documents import render, services
from sifa.platform.documents.models import Attachment
from sifa.platform.documents.services import blob_name, store_attachment

from .conftest import stored_files

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def _upload(
    tree: Any, users: dict[str, Any], name: str, content: bytes, content_type: str = ""
) -> Attachment:
    return store_attachment(
        acting_user=users["donghu_staff"],
        org=tree.donghu,
        uploaded_file=SimpleUploadedFile(name, content, content_type or "application/octet-stream"),
    )


def _refused(tree: Any, users: dict[str, Any], media: Path, name: str, content: bytes) -> str:
    with pytest.raises(ValidationError) as caught:
        _upload(tree, users, name, content)
    errors = caught.value.message_dict
    assert list(errors) == ["file"], errors
    assert not Attachment.objects.exists()
    assert stored_files(media) == []
    return errors["file"][0]


def _xlsx() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["姓名", "金额"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "expected_type"),
    [
        ("判决书.pdf", PDF_BYTES, "application/pdf"),
        ("现场照片.PNG", PNG_BYTES, "image/png"),
        ("身份证复印件.jpeg", JPEG_BYTES, "image/jpeg"),
        ("名单.csv", "姓名,电话\n张三,138\n".encode(), "text/csv; charset=utf-8"),
        ("说明.txt", "\ufeff情况说明".encode(), "text/plain; charset=utf-8"),
        ("台账.xlsx", None, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("意见.docx", None, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ],
)
def test_allowed_types_are_stored_with_the_detected_type_and_sha256(
    tree: Any, users: dict[str, Any], media: Path, name: str, content: bytes | None, expected_type: str
) -> None:
    if content is None:
        content = _xlsx() if name.endswith(".xlsx") else render.html_to_docx("<p>意见</p>")
    attachment = _upload(
        tree, users, name, content, content_type="text/html"
    )  # the browser's claim is ignored
    assert attachment.content_type == expected_type
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.size == len(content)
    assert attachment.original_name == name
    assert (media / blob_name(attachment.sha256)).read_bytes() == content
    assert ChangeLog.objects.filter(object_type="documents.Attachment", object_id=str(attachment.pk)).exists()


def test_oversize_file_is_refused_naming_the_limit(
    tree: Any, users: dict[str, Any], media: Path, settings: Any
) -> None:
    settings.SIFA_UPLOAD_MAX_BYTES = 1024
    message = _refused(tree, users, media, "大文件.pdf", PDF_BYTES + b"0" * 1024)
    assert "文件过大" in message and "1.0" in message  # 上限为 1.0 KB


def test_empty_file_is_refused(tree: Any, users: dict[str, Any], media: Path) -> None:
    assert _refused(tree, users, media, "空.pdf", b"") == "文件为空。"


def test_no_file_is_refused(tree: Any, users: dict[str, Any], media: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        store_attachment(acting_user=users["donghu_staff"], org=tree.donghu, uploaded_file=None)
    assert caught.value.message_dict == {"file": ["请选择要上传的文件。"]}


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("伪装.pdf", PNG_BYTES, "内容却是 PNG"),
        ("伪装.pdf", b"MZ\x90\x00 this is an executable", "内容却不是 PDF"),
        ("宏.docx", b"MZ\x90\x00", "内容却不是 DOCX"),
        ("假.docx", None, "内容却不是 DOCX"),  # a zip without [Content_Types].xml
        ("表.xlsx", b"", ""),  # replaced below by a real DOCX: Word content named .xlsx
        ("脚本.html", b"<script>alert(1)</script>", "不支持的文件类型"),
        ("程序.exe", b"MZ\x90\x00", "不支持的文件类型"),
        ("名单.csv", "姓名\n张三\n".encode("gbk"), "UTF-8"),
        ("二进制.txt", b"abc\x00def", "UTF-8"),
        ("无扩展名", PDF_BYTES, "不支持的文件类型"),
    ],
)
def test_content_that_does_not_match_the_allow_list_is_refused(
    tree: Any, users: dict[str, Any], media: Path, name: str, content: bytes | None, words: str
) -> None:
    if content is None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("word/document.xml", "<w:document/>")
        content = buffer.getvalue()
    elif name == "表.xlsx":
        content, words = render.html_to_docx("<p>x</p>"), "内容却是 DOCX"
    assert words in _refused(tree, users, media, name, content)


def test_same_content_twice_is_one_file_and_two_rows(tree: Any, users: dict[str, Any], media: Path) -> None:
    a = _upload(tree, users, "a.pdf", PDF_BYTES)
    b = _upload(tree, users, "b.pdf", PDF_BYTES)
    assert a.pk != b.pk and a.file.name == b.file.name
    assert stored_files(media) == [media / blob_name(a.sha256)]


def test_a_write_that_fails_after_the_file_removes_the_file(
    tree: Any, users: dict[str, Any], media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_audit(**kwargs: Any) -> None:
        raise RuntimeError("audit database unavailable")

    monkeypatch.setattr(services, "record_change", failing_audit)
    with pytest.raises(RuntimeError):
        _upload(tree, users, "a.pdf", PDF_BYTES)
    assert not Attachment.objects.exists()
    assert stored_files(media) == []


def test_a_failed_write_keeps_a_file_that_a_committed_row_uses(
    tree: Any, users: dict[str, Any], media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = _upload(tree, users, "a.pdf", PDF_BYTES)
    monkeypatch.setattr(services, "record_change", lambda **kw: (_ for _ in ()).throw(RuntimeError("x")))
    with pytest.raises(RuntimeError):
        _upload(tree, users, "again.pdf", PDF_BYTES)
    assert (media / blob_name(kept.sha256)).exists()


def test_upload_into_another_jurisdiction_is_refused_and_nothing_stored(
    tree: Any, users: dict[str, Any], media: Path
) -> None:
    from django.http import Http404

    with pytest.raises(Http404):
        store_attachment(
            acting_user=users["donghu_staff"],
            org=tree.xunyang,
            uploaded_file=SimpleUploadedFile("a.pdf", PDF_BYTES),
        )
    assert not Attachment.objects.exists()
    assert stored_files(media) == []


def test_path_components_and_control_characters_are_dropped_from_names() -> None:
    assert services.clean_file_name("../../etc/pass\x00wd.pdf") == "passwd.pdf"
    assert services.clean_file_name("C:\\Users\\张三\\判决书.pdf") == "判决书.pdf"
    long = "长" * 300 + ".pdf"
    cleaned = services.clean_file_name(long)
    assert len(cleaned) == 255 and cleaned.endswith(".pdf")

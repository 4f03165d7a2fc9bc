"""Which uploaded files are accepted, decided by their content (magic bytes), not their name.

Framework-free. The allow-list is deliberately short: the formats a clerk attaches to a case
(scans as PDF/PNG/JPEG, Word and Excel files, plain text and CSV). The extension must agree with
the content, so a PNG renamed ``.pdf`` or an executable renamed ``.docx`` is refused; the content
type stored and sent back on download is the detected one, never the browser's claim.
"""

from __future__ import annotations

import codecs
import zipfile
from dataclasses import dataclass
from typing import BinaryIO


@dataclass(frozen=True)
class FileKind:
    code: str
    label: str
    content_type: str
    extensions: tuple[str, ...]


PDF = FileKind("pdf", "PDF", "application/pdf", (".pdf",))
PNG = FileKind("png", "PNG", "image/png", (".png",))
JPEG = FileKind("jpeg", "JPEG", "image/jpeg", (".jpg", ".jpeg"))
DOCX = FileKind(
    "docx", "DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)
)
XLSX = FileKind(
    "xlsx", "XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)
)
TXT = FileKind("txt", "TXT", "text/plain; charset=utf-8", (".txt",))
CSV = FileKind("csv", "CSV", "text/csv; charset=utf-8", (".csv",))
ALLOWED = (PDF, PNG, JPEG, DOCX, XLSX, TXT, CSV)
ALLOWED_LABELS = "、".join(k.label for k in ALLOWED)
_BY_EXTENSION = {ext: kind for kind in ALLOWED for ext in kind.extensions}


class FileTypeProblem(ValueError):
    """The file is not acceptable; ``str()`` is a sentence for the user (Chinese)."""


def extension_of(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def _sniff_binary(head: bytes, stream: BinaryIO) -> FileKind | None:
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        # Office Open XML is a zip whose first-level [Content_Types].xml declares the parts; only the
        # central directory is read, nothing is extracted (no zip-bomb exposure).
        stream.seek(0)
        try:
            with zipfile.ZipFile(stream) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        if "[Content_Types].xml" not in names:
            return None
        if "word/document.xml" in names:
            return DOCX
        if "xl/workbook.xml" in names:
            return XLSX
    return None


def _is_utf8_text(stream: BinaryIO, chunk_size: int = 64 * 1024) -> bool:
    stream.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
    try:
        while chunk := stream.read(chunk_size):
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect(stream: BinaryIO, name: str) -> FileKind:
    """The kind of the file in ``stream`` (read from the start; position is left undefined).

    Raises FileTypeProblem when the type is not allowed or the name does not match the content.
    """
    claimed = _BY_EXTENSION.get(extension_of(name))
    stream.seek(0)
    head = stream.read(16)
    found = _sniff_binary(head, stream)
    if found is None and claimed in (TXT, CSV):
        if _is_utf8_text(stream):
            return claimed
        raise FileTypeProblem(f"文本文件须为 UTF-8 编码（不含二进制内容）：{name}")
    if claimed is None:
        hint = f"（内容为 {found.label}）" if found else ""
        raise FileTypeProblem(f"不支持的文件类型{hint}，仅允许 {ALLOWED_LABELS}。")
    if found is None:
        raise FileTypeProblem(
            f"文件内容与扩展名不符：文件名为 {extension_of(name)}，内容却不是 {claimed.label}。"
        )
    if found is not claimed:
        raise FileTypeProblem(
            f"文件内容与扩展名不符：文件名为 {extension_of(name)}，内容却是 {found.label}。"
        )
    return found

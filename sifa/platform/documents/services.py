"""Writes for documents: number allocation, rendering, attachments. Atomic and audited.

Files and rows stay consistent: a file is written only after its content has been validated,
inside the transaction that creates its row, and removed again if that transaction fails (unless
another row already points at the same content-addressed file). A crash between the two leaves at
worst an unreferenced file, never a row without its file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import IntegrityError, models, transaction
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from sifa.platform.audit.models import ChangeAction
from sifa.platform.audit.services import record_change, snapshot
from sifa.platform.orgs.models import Org
from sifa.platform.orgs.scoping import ensure_in_scope

from . import filetypes, render
from .catalog import CATALOG, TemplateSpec
from .models import Attachment, Document, DocumentNumberSequence, DocumentTemplate

logger = logging.getLogger(__name__)

BLOB_DIR = "attachments"
# Word templates (TemplateSpec.docx_path) sit beside the HTML bodies; they are files, not Django templates.
TEMPLATE_DIR = Path(__file__).with_name("templates")


# --- document numbers (发文字号) ---------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentNumber:
    prefix: str
    year: int
    serial: int

    def __str__(self) -> str:
        return render.format_number(self.prefix, self.year, self.serial)


def _locked_sequence(org: Org, prefix: str, year: int) -> tuple[DocumentNumberSequence, bool]:
    """The sequence row, locked until the surrounding transaction ends (SELECT … FOR UPDATE).

    On PostgreSQL a second allocation for the same org/prefix/year waits here for the first
    transaction to commit or roll back and then reads the committed counter, so two documents can
    never share a number and a rolled-back document gives its number back. On SQLite the whole
    database is write-locked by the transaction (BEGIN IMMEDIATE), which serialises the same way.
    """
    locked = DocumentNumberSequence.objects.select_for_update()
    try:
        return locked.get(org=org, prefix=prefix, year=year), False
    except DocumentNumberSequence.DoesNotExist:
        pass
    try:
        with transaction.atomic():  # a savepoint: if a concurrent first allocation wins, use its row
            return DocumentNumberSequence.objects.create(org=org, prefix=prefix, year=year), True
    except IntegrityError:
        return locked.get(org=org, prefix=prefix, year=year), False


def allocate_number(
    *, org: Org, prefix: str, year: int | None = None, acting_user: Any = None
) -> DocumentNumber:
    """The next 发文字号 of ``org`` for ``prefix`` in ``year`` (default: this year, China time).

    Call it inside the transaction that stores the numbered document: the counter is only consumed
    if that transaction commits, which keeps the numbers gap-free.
    """
    prefix = prefix.strip()
    if not prefix:
        raise ValidationError({"number_prefix": _("机关代字不能为空。")})
    year = year or timezone.localdate().year
    with transaction.atomic():
        sequence, created = _locked_sequence(org, prefix, year)
        before = None if created else snapshot(sequence)
        sequence.last_serial += 1
        sequence.save(update_fields=["last_serial"])
        record_change(
            actor=acting_user,
            obj=sequence,
            action=ChangeAction.CREATE if created else ChangeAction.UPDATE,
            before=before,
        )
    return DocumentNumber(prefix, year, sequence.last_serial)


# --- files --------------------------------------------------------------------------------------------


def blob_name(sha256: str) -> str:
    return f"{BLOB_DIR}/{sha256[:2]}/{sha256[2:4]}/{sha256}"


@contextmanager
def _files_removed_on_failure() -> Iterator[list[str]]:
    """Collects the names of files written in the block; removes them if the block raises.

    Use as ``with _files_removed_on_failure() as created, transaction.atomic():`` so the
    transaction has rolled back before the files are removed.
    """
    created: list[str] = []
    try:
        yield created
    except BaseException:
        for name in created:
            try:
                # Content-addressed: a concurrent upload of the same bytes may have committed a row
                # pointing at this very file in the meantime; then it stays.
                if not Attachment.objects.filter(file=name).exists():
                    default_storage.delete(name)
            except Exception:  # cannot check: keep the file (an orphan is harmless, a lost file is not)
                logger.exception("could not clean up %s after a failed write", name)
        raise


def _write_blob(content: File[Any], sha256: str, created: list[str]) -> str:
    name = blob_name(sha256)
    if default_storage.exists(name):
        return name
    saved = default_storage.save(name, content)
    created.append(saved)
    return saved


def _sha256_and_size(content: File[Any]) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    for chunk in content.chunks():
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def _related_fields(related: models.Model | None) -> dict[str, str]:
    if related is None:
        return {"related_type": "", "related_id": ""}
    return {"related_type": related._meta.label, "related_id": str(related.pk)}


def clean_file_name(name: str) -> str:
    """The last path component, without control characters, at most 255 characters (extension kept)."""
    base = PurePosixPath((name or "").replace("\\", "/")).name
    base = "".join(c for c in base if unicodedata.category(c) not in {"Cc", "Cf"}).strip() or "file"
    if len(base) > 255:
        dot = base.rfind(".")
        ext = base[dot:] if dot > 0 and len(base) - dot <= 16 else ""
        base = base[: 255 - len(ext)] + ext
    return base


def _create_attachment(
    *,
    acting_user: Any,
    org: Org,
    content: File[Any],
    name: str,
    content_type: str,
    sha256: str,
    size: int,
    created: list[str],
    related: models.Model | None,
    contains_personal_data: bool,
) -> Attachment:
    attachment = Attachment(
        org=org,
        original_name=name,
        content_type=content_type,
        size=size,
        sha256=sha256,
        contains_personal_data=contains_personal_data,
        uploaded_by=acting_user if getattr(acting_user, "pk", None) else None,
        **_related_fields(related),
    )
    attachment.file.name = _write_blob(content, sha256, created)
    attachment.save()
    if acting_user is not None:
        ensure_in_scope(acting_user, attachment, "add")
    record_change(actor=acting_user, obj=attachment, action=ChangeAction.CREATE)
    return attachment


def too_large_error(size: int | None = None) -> ValidationError:
    limit = filesizeformat(settings.SIFA_UPLOAD_MAX_BYTES)
    if size is None:
        return ValidationError({"file": _("文件过大，上限为 %s。") % limit})
    return ValidationError(
        {
            "file": _("文件过大（%(size)s），上限为 %(limit)s。")
            % {"size": filesizeformat(size), "limit": limit}
        }
    )


def store_attachment(
    *,
    acting_user: Any,
    org: Org,
    uploaded_file: File[Any] | None,
    related: models.Model | None = None,
    contains_personal_data: bool = False,
) -> Attachment:
    """Validate and store an uploaded file as an attachment of ``org``.

    Refused (ValidationError on ``file``, nothing written): no file, an empty file, more than
    ``settings.SIFA_UPLOAD_MAX_BYTES``, a type outside the allow-list, or content that does not match
    the extension. The stored content type is the detected one.
    """
    if uploaded_file is None:
        raise ValidationError({"file": _("请选择要上传的文件。")})
    limit = settings.SIFA_UPLOAD_MAX_BYTES
    declared = uploaded_file.size or 0
    if declared > limit:
        raise too_large_error(declared)
    name = clean_file_name(uploaded_file.name or "")
    sha256, size = _sha256_and_size(uploaded_file)
    if size == 0:
        raise ValidationError({"file": _("文件为空。")})
    if size > limit:  # the declared size can lie; the bytes cannot
        raise too_large_error(size)
    try:
        kind = filetypes.detect(uploaded_file, name)  # type: ignore[arg-type]
    except filetypes.FileTypeProblem as exc:
        raise ValidationError({"file": str(exc)}) from exc
    uploaded_file.seek(0)
    with _files_removed_on_failure() as created, transaction.atomic():
        return _create_attachment(
            acting_user=acting_user,
            org=org,
            content=uploaded_file,
            name=name,
            content_type=kind.content_type,
            sha256=sha256,
            size=size,
            created=created,
            related=related,
            contains_personal_data=contains_personal_data,
        )


# --- templates and rendering -----------------------------------------------------------------------------


def sync_templates() -> None:
    """Mirror catalog.CATALOG into the DocumentTemplate table (run after migrate and on first use)."""
    for spec in CATALOG.values():
        _template_row(spec)


def _template_row(spec: TemplateSpec) -> DocumentTemplate:
    wanted = {
        "title": spec.title,
        "kind": spec.kind,
        "body_path": spec.body_path,
        "docx_path": spec.docx_path,
        "number_prefix": spec.number_prefix,
        "contains_personal_data": spec.contains_personal_data,
        "statute": spec.statute,
    }
    row, created = DocumentTemplate.objects.get_or_create(code=spec.code, defaults=wanted)
    if not created and any(getattr(row, k) != v for k, v in wanted.items()):
        for key, value in wanted.items():
            setattr(row, key, value)
        row.save()
    return row


def _parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value).strip())


def clean_context(spec: TemplateSpec, raw: dict[str, Any]) -> dict[str, Any]:
    """The template's fields from ``raw``, checked and normalised (JSON-safe; IDs masked).

    Raises ValidationError with one message per offending field, named by the field.
    """
    from sifa.platform.personal.identifiers import validate_id_number
    from sifa.platform.personal.masking import mask_id_number
    from sifa.platform.personal.problems import ValidationProblem

    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for spec_field in spec.fields:
        value = raw.get(spec_field.name)
        if isinstance(value, str):
            value = value.strip()
        if value in (None, ""):
            if spec_field.required:
                errors[spec_field.name] = _("请填写%s。") % spec_field.label
            values[spec_field.name] = ""
            continue
        if spec_field.type == "date":
            try:
                values[spec_field.name] = _parse_date(value).isoformat()
            except ValueError:
                errors[spec_field.name] = _("%s应为日期，格式 YYYY-MM-DD。") % spec_field.label
        elif spec_field.type == "id_number":
            try:
                values[spec_field.name] = mask_id_number(validate_id_number(value).value)
            except ValidationProblem as exc:
                errors[spec_field.name] = f"{spec_field.label}：{exc.zh}"
        else:
            text = str(value)
            if len(text) > spec_field.max_length:
                errors[spec_field.name] = _("%(label)s不能超过 %(n)d 个字。") % {
                    "label": spec_field.label,
                    "n": spec_field.max_length,
                }
            values[spec_field.name] = text
    start, end = values.get("period_start"), values.get("period_end")
    if start and end and "period_end" not in errors and end < start:
        errors["period_end"] = _("矫正期限届满日不能早于起始日。")
    if errors:
        raise ValidationError(errors)
    return values


def display_context(spec: TemplateSpec, values: dict[str, Any]) -> dict[str, Any]:
    """What the body template sees: dates as 2026年11月23日, multi-line text as paragraphs."""
    shown: dict[str, Any] = {}
    for spec_field in spec.fields:
        value = values.get(spec_field.name, "")
        if spec_field.type == "date" and value:
            shown[spec_field.name] = render.cn_date(dt.date.fromisoformat(value))
        elif spec_field.type == "multiline":
            shown[spec_field.name] = value
            shown[f"{spec_field.name}_paragraphs"] = [p.strip() for p in str(value).splitlines() if p.strip()]
        else:
            shown[spec_field.name] = value
    return shown


def render_html(spec: TemplateSpec, *, org: Org, number: str, title: str, values: dict[str, Any]) -> str:
    return render_to_string(
        spec.body_path,
        {
            "f": display_context(spec, values),
            "org_name": org.name,
            "number": number,
            "title": title,
            "spec": spec,
            "letterhead": spec.letterhead,
        },
    )


def render_document(
    *,
    acting_user: Any,
    org: Org,
    template_code: str,
    context: dict[str, Any],
    related: models.Model | None = None,
    number_prefix: str = "",
) -> Document:
    """Number, render (PDF + DOCX) and store a document of ``org`` from the template ``template_code``.

    All in one transaction: the number, the document row, both files and the audit row commit
    together or not at all. The number's year is the year of the issue date (成文日期).
    """
    spec = CATALOG.get(template_code)
    if spec is None:
        raise ValidationError({"template_code": _("文书模板不存在：%s") % template_code})
    values = clean_context(spec, context)
    if not values.get("issue_date"):
        values["issue_date"] = timezone.localdate().isoformat()
    issue_date = dt.date.fromisoformat(values["issue_date"])
    template = _template_row(spec)
    if not template.is_active:
        raise ValidationError({"template_code": _("文书模板已停用：%s") % spec.title})
    title = str(values.get(spec.title_field) or spec.title)

    with _files_removed_on_failure() as created, transaction.atomic():
        number = allocate_number(
            org=org,
            prefix=number_prefix or template.number_prefix or spec.number_prefix,
            year=issue_date.year,
            acting_user=acting_user,
        )
        document = Document.objects.create(
            org=org,
            template=template,
            number=str(number),
            number_prefix=number.prefix,
            number_year=number.year,
            number_serial=number.serial,
            title=title,
            context=values,
            contains_personal_data=spec.contains_personal_data,
            created_by=acting_user if getattr(acting_user, "pk", None) else None,
            **_related_fields(related),
        )
        if acting_user is not None:
            ensure_in_scope(acting_user, document, "add")
        html = render_html(spec, org=org, number=str(number), title=title, values=values)
        pdf = render.render_pdf(html, title=title)
        if spec.docx_path:
            docx = render.render_docx_template(
                TEMPLATE_DIR / spec.docx_path, display_context(spec, values) | {"number": str(number)}
            )
        else:
            docx = render.html_to_docx(html, title=title)
        stem = f"{title}（{number}）"
        for field_name, data, ext, content_type in (
            ("pdf", pdf, ".pdf", filetypes.PDF.content_type),
            ("docx", docx, ".docx", filetypes.DOCX.content_type),
        ):
            attachment = _create_attachment(
                acting_user=acting_user,
                org=org,
                content=ContentFile(data),
                name=clean_file_name(stem + ext),
                content_type=content_type,
                sha256=hashlib.sha256(data).hexdigest(),
                size=len(data),
                created=created,
                related=document,
                contains_personal_data=spec.contains_personal_data,
            )
            setattr(document, field_name, attachment)
        document.save(update_fields=["pdf", "docx"])
        record_change(actor=acting_user, obj=document, action=ChangeAction.CREATE)
    return document

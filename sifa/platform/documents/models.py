"""Document templates, document numbers, documents and attachments.

* A **document template** (文书模板) is reference data: its body lives in the repository
  (``templates/documents/<code>.html``) and its fields in ``catalog.py``; the row exists so that
  documents can point at it and lists can filter by it.
* A **number sequence** counts the 发文字号 of one org, prefix and year. Numbers are allocated under
  a row lock inside the transaction that stores the document, so they are gap-free: a failed render
  rolls the counter back with everything else.
* A **document** (文书) is one rendered instance: its number, the (already masked) values it was
  filled with, and its PDF and DOCX, which are attachments.
* An **attachment** (附件) is a stored file, content-addressed by SHA-256 under MEDIA_ROOT.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sifa.platform.orgs.models import Org
from sifa.platform.orgs.scoping import ScopedQuerySet


class DocumentKind(models.TextChoices):
    DECISION = "decision", _("决定书")
    NOTICE = "notice", _("通知书")
    CERTIFICATE = "certificate", _("证明书")
    AGREEMENT = "agreement", _("协议书")
    OPINION = "opinion", _("意见书")
    RECORD = "record", _("笔录")
    OTHER = "other", _("其他")


class DocumentTemplate(models.Model):
    code = models.CharField(_("模板代码"), max_length=64, unique=True)
    title = models.CharField(_("模板名称"), max_length=100)
    kind = models.CharField(_("文书种类"), max_length=16, choices=DocumentKind.choices)
    # Relative to the app's templates dir: "documents/<code>.html" (Django template language).
    body_path = models.CharField(_("正文模板"), max_length=200)
    # Optional Word template (docxtpl) next to it; empty: the DOCX is built from the HTML body.
    docx_path = models.CharField(_("Word 模板"), max_length=200, blank=True, default="")
    number_prefix = models.CharField(_("默认机关代字"), max_length=32, blank=True, default="")
    contains_personal_data = models.BooleanField(_("含个人信息"), default=False)
    statute = models.CharField(_("法律依据"), max_length=200, blank=True, default="")
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("文书模板")
        verbose_name_plural = _("文书模板")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.title


class DocumentNumberSequence(models.Model):
    """The last 发文字号 serial issued by ``org`` under ``prefix`` in ``year``."""

    org = models.ForeignKey(Org, verbose_name=_("机构"), on_delete=models.PROTECT, related_name="+")
    prefix = models.CharField(_("机关代字"), max_length=32)
    year = models.PositiveSmallIntegerField(_("年份"))
    last_serial = models.PositiveIntegerField(_("已用序号"), default=0)

    objects = ScopedQuerySet.as_manager()
    scope_org_field = "org"

    class Meta:
        verbose_name = _("文号序列")
        verbose_name_plural = _("文号序列")
        constraints = [
            models.UniqueConstraint(fields=["org", "prefix", "year"], name="documents_sequence_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}〔{self.year}〕#{self.last_serial}"


class Attachment(models.Model):
    org = models.ForeignKey(Org, verbose_name=_("所属机构"), on_delete=models.PROTECT, related_name="+")
    # Name is attachments/<sha[:2]>/<sha[2:4]>/<sha>: identical content is stored once.
    file = models.FileField(_("文件"), max_length=255)
    original_name = models.CharField(_("文件名"), max_length=255)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小(字节)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    contains_personal_data = models.BooleanField(_("含个人信息"), default=False)
    related_type = models.CharField(_("关联对象类型"), max_length=64, blank=True, default="")
    related_id = models.CharField(_("关联对象编号"), max_length=64, blank=True, default="")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_org_field = "org"

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["related_type", "related_id"])]

    def __str__(self) -> str:
        return self.original_name


class Document(models.Model):
    org = models.ForeignKey(Org, verbose_name=_("制发机构"), on_delete=models.PROTECT, related_name="+")
    template = models.ForeignKey(
        DocumentTemplate, verbose_name=_("文书模板"), on_delete=models.PROTECT, related_name="documents"
    )
    number = models.CharField(_("文号"), max_length=64, db_index=True)
    number_prefix = models.CharField(_("机关代字"), max_length=32)
    number_year = models.PositiveSmallIntegerField(_("年份"))
    number_serial = models.PositiveIntegerField(_("序号"))
    title = models.CharField(_("标题"), max_length=200)
    # The values the document was filled with; personal identifiers are stored masked.
    context = models.JSONField(_("填写内容"), default=dict)
    contains_personal_data = models.BooleanField(_("含个人信息"), default=False)
    related_type = models.CharField(_("关联对象类型"), max_length=64, blank=True, default="")
    related_id = models.CharField(_("关联对象编号"), max_length=64, blank=True, default="")
    pdf = models.ForeignKey(
        Attachment, verbose_name="PDF", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    docx = models.ForeignKey(
        Attachment, verbose_name="DOCX", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("制作人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("制作时间"), auto_now_add=True, db_index=True)

    objects = ScopedQuerySet.as_manager()
    scope_org_field = "org"

    class Meta:
        verbose_name = _("文书")
        verbose_name_plural = _("文书")
        ordering = ["-created_at", "-id"]
        constraints = [
            # The database itself refuses a second document with the same number.
            models.UniqueConstraint(
                fields=["org", "number_prefix", "number_year", "number_serial"],
                name="documents_document_number_unique",
            ),
        ]
        indexes = [models.Index(fields=["related_type", "related_id"])]

    def __str__(self) -> str:
        return f"{self.title}（{self.number}）"

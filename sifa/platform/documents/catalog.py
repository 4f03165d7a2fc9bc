"""The document templates shipped with Sifa: code, kind, fields, statute. Framework-free.

The body of each template is ``templates/documents/<code>.html``. Domain apps add templates by
listing more specs here (or in their own ``documents.py`` later); ``sync_templates`` mirrors the list
into the DocumentTemplate table.

Field types and what the service does with them before the value is rendered and stored:

* ``text`` / ``multiline``: stripped; ``multiline`` keeps paragraph breaks.
* ``date``: an ISO date (``2026-11-23``) or a date; shown as 2026年11月23日.
* ``id_number``: a 居民身份证号, stored and printed masked (110***********002X) — a certificate
  proves who it is for without putting the full number on paper that circulates.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    type: str = "text"  # text | multiline | date | id_number
    required: bool = True
    max_length: int = 500


@dataclass(frozen=True)
class TemplateSpec:
    code: str
    title: str
    kind: str  # DocumentKind value
    fields: tuple[FieldSpec, ...]
    number_prefix: str
    title_field: str = ""  # a field whose value is the document's title; default: the template title
    contains_personal_data: bool = False
    statute: str = ""
    docx_path: str = ""
    letterhead: bool = True  # red masthead with the issuing org's name

    @property
    def body_path(self) -> str:
        return f"documents/{self.code}.html"

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)


NOTICE = TemplateSpec(
    code="platform.notice",
    title="通知书",
    kind="notice",
    number_prefix="司通",
    title_field="subject",
    fields=(
        FieldSpec("subject", "标题", max_length=100),
        FieldSpec("recipient", "主送（受文者）", max_length=100),
        FieldSpec("body", "正文", type="multiline", max_length=5000),
        FieldSpec("contact", "联系人及电话", required=False, max_length=100),
        FieldSpec("issue_date", "成文日期", type="date", required=False),
    ),
)

RELEASE_CERTIFICATE = TemplateSpec(
    code="corrections.release_certificate",
    title="解除社区矫正证明书",
    kind="certificate",
    number_prefix="司社矫解",
    contains_personal_data=True,
    statute="《中华人民共和国社区矫正法》第四十四条",
    fields=(
        FieldSpec("supervisee_name", "社区矫正对象姓名", max_length=50),
        FieldSpec("gender", "性别", required=False, max_length=4),
        FieldSpec("id_number", "居民身份证号码", type="id_number", max_length=18),
        FieldSpec("crime", "罪名", max_length=100),
        FieldSpec("court", "判决（裁定、决定）机关", max_length=100),
        FieldSpec("judgment_number", "判决书（裁定书、决定书）文号", required=False, max_length=100),
        FieldSpec("sentence", "刑罚", max_length=200),
        FieldSpec("correction_kind", "社区矫正类别", max_length=20),
        FieldSpec("period_start", "矫正期限起始日", type="date"),
        FieldSpec("period_end", "矫正期限届满日", type="date"),
        FieldSpec("issue_date", "发证日期", type="date", required=False),
    ),
)

CATALOG: dict[str, TemplateSpec] = {spec.code: spec for spec in (NOTICE, RELEASE_CERTIFICATE)}

"""The rendering core: PDF with embedded CJK fonts, DOCX with East Asian fonts, the HTML vocabulary."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy
import pypdfium2
import pytest
from docx import Document as WordDocument
from pypdf import PdfReader

from sifa.platform.documents import render
from sifa.platform.documents.catalog import NOTICE, RELEASE_CERTIFICATE
from sifa.platform.documents.services import clean_context, render_html

from .conftest import EXAMPLE_ID, certificate_context, notice_context

NUMBER = "洪司社矫〔2026〕第12号"


def _html(spec: Any, values: dict[str, Any]) -> str:
    org: Any = SimpleNamespace(name="南昌市东湖区司法局")
    title = str(values.get(spec.title_field) or spec.title)
    return render_html(spec, org=org, number=NUMBER, title=title, values=clean_context(spec, values))


@pytest.fixture(scope="module")
def certificate_pdf() -> bytes:
    return render.render_pdf(_html(RELEASE_CERTIFICATE, certificate_context()), title="解除社区矫正证明书")


def _pdf_text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_release_certificate_pdf_text_is_real_chinese_with_number_art44(certificate_pdf: bytes) -> None:
    """Extractable Chinese proves the CJK font is embedded with a cmap (boxes extract as nothing)."""
    text = re.sub(r"\s+", "", _pdf_text(certificate_pdf))
    assert "解除社区矫正证明书" in text
    assert NUMBER in text
    assert "社区矫正法》第四十四条" in text
    assert "2025年11月19日解除社区矫正" in text


def test_pdf_embeds_noto_cjk_fonts_and_is_a4(certificate_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(certificate_pdf))
    page = reader.pages[0]
    resources: Any = page["/Resources"]
    fonts = resources["/Font"]
    names = {str(fonts[key].get_object()["/BaseFont"]) for key in fonts}
    assert any("NotoSerifCJKSC" in name.replace("-", "") for name in names), names
    width_mm = float(page.mediabox.width) / 72 * 25.4
    height_mm = float(page.mediabox.height) / 72 * 25.4
    assert (round(width_mm), round(height_mm)) == (210, 297)


def test_certificate_never_prints_the_full_id_number(certificate_pdf: bytes) -> None:
    text = _pdf_text(certificate_pdf)
    assert EXAMPLE_ID not in text
    assert "110***********002X" in text


def test_first_page_renders_to_a_non_blank_image_with_a_red_rule(certificate_pdf: bytes) -> None:
    pdf = pypdfium2.PdfDocument(certificate_pdf)
    try:
        pixels = numpy.asarray(pdf[0].render(scale=2).to_pil().convert("RGB")).astype(int)
    finally:
        pdf.close()
    r, g, b = pixels[..., 0], pixels[..., 1], pixels[..., 2]
    dark = int(((r < 100) & (g < 100) & (b < 100)).sum())
    red = int(((r > 150) & (g < 100) & (b < 100)).sum())
    assert dark > 2000, "text should leave dark pixels on the page"
    assert red > 100, "the red rule under the number should be visible"


def test_notice_has_red_masthead_with_the_org_and_paragraphs_per_line() -> None:
    html = _html(NOTICE, notice_context())
    blocks = render.html_blocks(html)
    kinds = [b.kind for b in blocks]
    assert kinds[:4] == ["masthead", "p", "rule", "h1"]
    assert blocks[0].text == "南昌市东湖区司法局"
    assert blocks[3].text == "关于报送年度普法工作总结的通知"
    body = [b.text for b in blocks if b.kind == "p" and not b.classes]
    assert body[:2] == ["请于12月31日前报送本年度普法工作总结。", "逾期未报送的，予以通报。"]


def test_docx_has_the_text_and_east_asian_fonts() -> None:
    html = _html(RELEASE_CERTIFICATE, certificate_context())
    data = render.html_to_docx(html, title="解除社区矫正证明书")
    text = render.docx_text(data)
    assert "解除社区矫正证明书" in text
    assert NUMBER in text
    assert "110***********002X" in text and EXAMPLE_ID not in text
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    styles = zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml").decode()
    assert f'w:eastAsia="{render.DOCX_BODY_FONT}"' in xml
    assert f'w:eastAsia="{render.DOCX_TITLE_FONT}"' in xml
    assert f'w:eastAsia="{render.DOCX_BODY_FONT}"' in styles  # the Normal style, for typed text
    assert 'w:color="D40000"' in xml  # the red rule is a paragraph border
    section: Any = WordDocument(io.BytesIO(data)).sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)


def test_docx_template_is_filled_and_escaped(tmp_path: Path) -> None:
    template = WordDocument()
    template.add_paragraph("兹证明{{ supervisee_name }}已于{{ period_end }}解除社区矫正。")
    path = tmp_path / "t.docx"
    template.save(str(path))
    data = render.render_docx_template(path, {"supervisee_name": "李<四>&", "period_end": "2025年11月19日"})
    assert "兹证明李<四>&已于2025年11月19日解除社区矫正。" in render.docx_text(data)


def test_markup_typed_into_a_field_is_printed_not_interpreted() -> None:
    html = _html(NOTICE, notice_context(recipient="<b>各司法所</b><script>x()</script>"))
    assert "<script>" not in html
    salutation = next(b for b in render.html_blocks(html) if "salutation" in b.classes)
    assert salutation.text == "<b>各司法所</b><script>x()</script>："
    assert not any(r.bold for r in salutation.runs)


def test_line_breaks_between_chinese_characters_are_not_spaces() -> None:
    blocks = render.html_blocks(
        "<p>依照社区\n   矫正法 ok\n words</p><table><tr><th>姓名</th><td>张三<br>李四</td></tr></table>"
    )
    assert blocks[0].text == "依照社区矫正法 ok words"
    assert blocks[1].rows[0][1].runs[1].line_break


def test_number_and_date_formats() -> None:
    assert render.format_number("洪司社矫", 2026, 12) == "洪司社矫〔2026〕第12号"
    assert render.cn_date(dt.date(2026, 1, 5)) == "2026年1月5日"


def test_templates_cannot_fetch_urls_or_local_files() -> None:
    """A template (or an injected value, were escaping ever lost) cannot make the server fetch."""
    pdf = render.render_pdf('<p>图</p><img src="file:///etc/passwd"><img src="http://127.0.0.1:9/x.png">')
    assert "图" in _pdf_text(pdf)

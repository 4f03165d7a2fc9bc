"""Rendering official documents (文书) to PDF and DOCX. Framework-free: no Django here.

One source, two formats. A document template is an HTML file written in a small vocabulary
(``.masthead``, ``p.doc-number``, ``hr.red-rule``, ``h1``, ``h2``, ``p`` with the classes
``salutation``/``noindent``/``signature``/``date``/``note``, ``table.fields``, ``strong``, ``br``).
The PDF is that HTML laid out by WeasyPrint with ``assets/official.css`` (GB/T 9704-style A4 page);
the DOCX is built from the same HTML by :func:`html_to_docx`, which maps the same vocabulary onto
Word paragraphs, so the two files say the same thing in the same order.

Fonts: the PDF uses Noto Serif/Sans CJK SC (Debian fonts-noto-cjk) through fontconfig and embeds
subsets of them, so the Chinese text is real text (extractable, searchable), not boxes. The DOCX
names Windows/WPS Chinese fonts in ``w:eastAsia`` (仿宋 for the body, 宋体 for titles, 黑体 for
headings), which is what a clerk's Word or WPS has installed; Word falls back to a CJK font for
East Asian text only when that attribute is set, otherwise Chinese may show in a Latin font.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import threading
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

ASSETS = Path(__file__).with_name("assets")
PDF_STYLESHEET = ASSETS / "official.css"

# PDF fonts (fontconfig family names from fonts-noto-cjk).
PDF_SERIF_FONT = "Noto Serif CJK SC"
PDF_SANS_FONT = "Noto Sans CJK SC"
# DOCX fonts: what Word/WPS on a government desktop has. ascii/hAnsi for digits and Latin letters.
DOCX_BODY_FONT = "仿宋"
DOCX_TITLE_FONT = "宋体"
DOCX_HEADING_FONT = "黑体"
DOCX_LATIN_FONT = "Times New Roman"
RED = "D40000"


# --- numbers and dates ---------------------------------------------------------------------------------


def format_number(prefix: str, year: int, serial: int) -> str:
    """发文字号: prefix, full year in 六角括号 〔〕, serial without padding: 洪司社矫〔2026〕第12号."""
    return f"{prefix}〔{year}〕第{serial}号"


def cn_date(value: dt.date) -> str:
    """成文日期 in Arabic numerals, no leading zeros (GB/T 9704-2012 7.3.5.4): 2026年1月5日."""
    return f"{value.year}年{value.month}月{value.day}日"


# --- PDF --------------------------------------------------------------------------------------------------

_pdf_lock = threading.Lock()


@cache
def _weasyprint() -> tuple[Any, Any, Any]:
    """WeasyPrint is imported lazily (≈1 s) and its font configuration built once per process.

    Reusing one FontConfiguration saves the fontconfig scan on every render; the data: -only URL
    fetcher means a template can never make the server fetch a URL or read a local file.
    """
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    fonts = FontConfiguration()
    fetcher = URLFetcher(allowed_protocols={"data"})
    stylesheet = CSS(
        string=PDF_STYLESHEET.read_text(encoding="utf-8"), font_config=fonts, url_fetcher=fetcher
    )
    return HTML, (fonts, fetcher), stylesheet


def render_pdf(html: str, *, title: str = "") -> bytes:
    """Lay ``html`` out on A4 pages and return the PDF bytes (fonts subset and embedded)."""
    html_class, (fonts, fetcher), stylesheet = _weasyprint()
    if title and "<title>" not in html:
        html = f"<title>{_escape(title)}</title>{html}"
    # FontConfiguration is shared; WeasyPrint does not promise it is thread-safe, so threaded
    # servers render one PDF at a time per process (a render takes a few hundred milliseconds).
    with _pdf_lock:
        document = html_class(string=html, url_fetcher=fetcher, base_url=str(ASSETS) + "/")
        pdf: bytes = document.write_pdf(stylesheets=[stylesheet], font_config=fonts)
    return pdf


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- HTML → blocks -----------------------------------------------------------------------------------------


@dataclass
class Run:
    text: str = ""
    bold: bool = False
    line_break: bool = False


@dataclass
class Cell:
    header: bool
    runs: list[Run] = field(default_factory=list)


@dataclass
class Block:
    kind: str  # masthead, h1, h2, p, rule, table
    classes: frozenset[str] = frozenset()
    runs: list[Run] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)

    @property
    def text(self) -> str:
        if self.kind == "table":
            return "\n".join("\t".join(_plain(c.runs) for c in row) for row in self.rows)
        return _plain(self.runs)


def _plain(runs: list[Run]) -> str:
    return "".join("\n" if r.line_break else r.text for r in runs)


_WIDE = "\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u3000-\u303f"
_NEWLINE_BETWEEN_WIDE = re.compile(rf"(?<=[{_WIDE}])\s*\n\s*(?=[{_WIDE}])")
_SPACE_RUN = re.compile(r"\s+")
_BLOCK_TAGS = {"p", "h1", "h2", "h3", "li", "header"}
_SKIP_TAGS = {"style", "script", "head", "title"}


def _collapse(text: str) -> str:
    """HTML white-space rules, plus: a line break in the source between two Chinese characters is
    dropped rather than shown as a space (what CSS Text 3 asks for East Asian text)."""
    return _SPACE_RUN.sub(" ", _NEWLINE_BETWEEN_WIDE.sub("", text))


class _BlockParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self._block: Block | None = None
        self._cell: Cell | None = None
        self._table: Block | None = None
        self._bold = 0
        self._skip = 0

    # The current list of runs: a table cell, a paragraph, or a new implicit paragraph.
    def _runs(self) -> list[Run]:
        if self._cell is not None:
            return self._cell.runs
        if self._block is None:
            self._block = Block("p")
        return self._block.runs

    def _flush(self) -> None:
        if self._block is not None:
            _trim(self._block.runs)
            if self._block.runs or self._block.kind != "p":
                self.blocks.append(self._block)
            self._block = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = frozenset((dict(attrs).get("class") or "").split())
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag in _BLOCK_TAGS or (tag == "div" and "masthead" in classes):
            self._flush()
            kind = (
                "masthead" if "masthead" in classes else {"h3": "h2", "li": "p", "header": "p"}.get(tag, tag)
            )
            self._block = Block(kind, classes)
        elif tag == "div":
            self._flush()
        elif tag == "hr":
            self._flush()
            self.blocks.append(Block("rule", classes))
        elif tag == "br":
            self._runs().append(Run(line_break=True))
        elif tag in {"strong", "b"}:
            self._bold += 1
        elif tag == "table":
            self._flush()
            self._table = Block("table", classes)
        elif tag == "tr" and self._table is not None:
            self._table.rows.append([])
        elif tag in {"td", "th"} and self._table is not None:
            if not self._table.rows:
                self._table.rows.append([])
            self._cell = Cell(header=tag == "th")
            self._table.rows[-1].append(self._cell)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS or tag == "div":
            self._flush()
        elif tag in {"strong", "b"}:
            self._bold = max(0, self._bold - 1)
        elif tag in {"td", "th"} and self._cell is not None:
            _trim(self._cell.runs)
            self._cell = None
        elif tag == "table" and self._table is not None:
            self.blocks.append(self._table)
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        text = _collapse(data)
        if not text.strip() and self._block is None and self._cell is None:
            return  # white space between blocks
        self._runs().append(Run(text, bold=self._bold > 0))

    def close(self) -> None:
        super().close()
        self._flush()


def _trim(runs: list[Run]) -> None:
    while runs and not runs[0].line_break and not runs[0].text.strip():
        runs.pop(0)
    while runs and not runs[-1].line_break and not runs[-1].text.strip():
        runs.pop()
    if runs:
        runs[0].text = runs[0].text.lstrip()
        runs[-1].text = runs[-1].text.rstrip()


def html_blocks(html: str) -> list[Block]:
    """The paragraphs, rules and tables of ``html``, in order (the DOCX converter's input)."""
    parser = _BlockParser()
    parser.feed(html)
    parser.close()
    return parser.blocks


# --- DOCX -----------------------------------------------------------------------------------------------


def _set_fonts(run_or_style: Any, east_asia: str, *, size: float | None = None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run_or_style.font.name = DOCX_LATIN_FONT
    if size is not None:
        run_or_style.font.size = Pt(size)
    rpr = run_or_style.element.get_or_add_rPr()
    rfonts = rpr.get_or_add_rFonts()
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:hint"), "eastAsia")


def _add_bottom_border(paragraph: Any, color: str = RED, eighths_of_pt: int = 12) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    ppr = paragraph._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", str(eighths_of_pt)), ("space", "1"), ("color", color)):
        bottom.set(qn(f"w:{key}"), value)
    border.append(bottom)
    # pBdr must precede spacing/ind/jc in w:pPr (schema order); it is added before any of them.
    ppr.insert_element_before(border, "w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc")


def _page_number_footer(section: Any) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _set_fonts(paragraph.add_run("— "), DOCX_TITLE_FONT, size=14)
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    fld.append(run)
    paragraph._p.append(fld)
    _set_fonts(paragraph.add_run(" —"), DOCX_TITLE_FONT, size=14)


def _add_runs(
    paragraph: Any,
    runs: list[Run],
    east_asia: str,
    size: float,
    *,
    bold: bool = False,
    color: str | None = None,
) -> None:
    from docx.shared import RGBColor

    for item in runs:
        run = paragraph.add_run()
        if item.line_break:
            run.add_break()
            continue
        run.text = item.text
        _set_fonts(run, east_asia, size=size)
        run.bold = bold or item.bold
        if color:
            run.font.color.rgb = RGBColor.from_string(color)


def html_to_docx(html: str, *, title: str = "") -> bytes:
    """A Word document with the content of ``html`` in the 公文 layout (A4, GB/T 9704 margins)."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    _page_number_footer(section)

    normal = document.styles["Normal"]
    _set_fonts(normal, DOCX_BODY_FONT, size=16)
    # Mark the text as Simplified Chinese so Word's proofing and font fallback choose a Chinese font.
    rpr = normal.element.get_or_add_rPr()
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")
    document.core_properties.title = title
    document.core_properties.language = "zh-CN"

    for block in html_blocks(html):
        if block.kind == "table":
            _docx_table(document, block)
            continue
        paragraph = document.add_paragraph()
        fmt = paragraph.paragraph_format
        if block.kind == "rule":
            _add_bottom_border(paragraph)
            fmt.space_after = Pt(18)
            fmt.line_spacing = Pt(4)
            continue
        fmt.space_before = fmt.space_after = Pt(0)
        if block.kind == "masthead":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            fmt.space_after = Pt(18)
            _add_runs(paragraph, block.runs, DOCX_TITLE_FONT, 30, bold=True, color=RED)
        elif block.kind == "h1":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            fmt.space_before, fmt.space_after = Pt(12), Pt(18)
            _add_runs(paragraph, block.runs, DOCX_TITLE_FONT, 22, bold=True)
        elif block.kind == "h2":
            fmt.first_line_indent = Pt(32)
            fmt.line_spacing = Pt(28.9)
            _add_runs(paragraph, block.runs, DOCX_HEADING_FONT, 16)
        else:
            _docx_paragraph(paragraph, block)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_paragraph(paragraph: Any, block: Block) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    fmt = paragraph.paragraph_format
    fmt.line_spacing = Pt(28.9)  # exact: 22 lines of 3号 text per page, like the PDF
    classes = block.classes
    size = 16.0
    if "doc-number" in classes:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif classes & {"signature", "date"}:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        fmt.right_indent = Pt(64)
        if "signature" in classes:
            fmt.space_before = Pt(40)
    elif "note" in classes:
        size = 12
        fmt.line_spacing = Pt(20)
        fmt.space_before = Pt(28)
    else:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if not classes & {"salutation", "noindent"}:
            fmt.first_line_indent = Pt(32)  # two characters
    _add_runs(paragraph, block.runs, DOCX_BODY_FONT, size)


def _docx_table(document: Any, block: Block) -> None:
    from docx.shared import Pt

    columns = max((len(row) for row in block.rows), default=0)
    if not columns:
        return
    table = document.add_table(rows=len(block.rows), cols=columns)
    table.style = "Table Grid"
    for r, row in enumerate(block.rows):
        for c, cell in enumerate(row):
            target = table.cell(r, c)
            paragraph = target.paragraphs[0]
            paragraph.paragraph_format.line_spacing = Pt(22)
            font = DOCX_HEADING_FONT if cell.header else DOCX_BODY_FONT
            _add_runs(paragraph, cell.runs, font, 14)
    document.add_paragraph()


def render_docx_template(path: Path, context: dict[str, Any]) -> bytes:
    """Fill a Word template (docxtpl / Jinja2 tags inside the .docx); values are XML-escaped."""
    from docxtpl import DocxTemplate

    template = DocxTemplate(str(path))
    template.render(context, autoescape=True)
    buffer = io.BytesIO()
    template.save(buffer)
    return buffer.getvalue()


def docx_text(data: bytes) -> str:
    """All paragraph and table text of a DOCX (for tests and search indexing)."""
    from docx import Document

    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)

"""Normalisation of user-typed Chinese text before it is classified, searched or stored.

Citizens type on phones with full-width input methods, paste from web pages, write in traditional
characters (Hong Kong, Taiwan, older users) and sometimes paste whole chat logs. Everything that
reads a question goes through :func:`normalize_text` first so the classifier, BM25 and the stored
copy all see the same string.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache
from typing import Any

__all__ = [
    "MAX_QUESTION_CHARS",
    "QuestionError",
    "clean_question",
    "has_cjk",
    "normalize_text",
    "strip_markup",
    "to_simplified",
]

#: A consultation question longer than this (after clean-up) is refused rather than silently cut:
#: the 12348 hotline form allows 1,000 characters, and a longer text is nearly always a pasted
#: document that needs a human.
MAX_QUESTION_CHARS = 1000

# Whole blocks whose content is never text a person meant to ask.
_DROP_BLOCKS = re.compile(r"<(script|style|iframe|object|embed|template)\b[^>]*>.*?(</\1\s*>|$)", re.I | re.S)
_TAG = re.compile(r"<[^<>]{0,500}>")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORDISH = re.compile(r"[\w\u3400-\u4dbf\u4e00-\u9fff]")
_SPACES = re.compile(r"[ \t\u3000\xa0]+")
_NEWLINES = re.compile(r"\n{3,}")


class QuestionError(ValueError):
    """A question that cannot be answered; ``str(err)`` is a Chinese message naming the field."""

    field = "question"

    def __init__(self, message: str) -> None:
        super().__init__(f"question：{message}")
        self.message = message


@lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc  # imported lazily: the converter loads its dictionaries on first use

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Convert traditional characters to simplified (OpenCC's t2s tables, offline)."""
    if not text:
        return text
    return str(_t2s().convert(text))


def _is_dropped_char(ch: str) -> bool:
    # Control (Cc) characters other than newline/tab, format characters such as zero-width
    # spaces and bidi overrides (Cf: used to disguise text), unassigned and private-use code
    # points, and lone surrogates from broken JSON.
    if ch in "\n\t":
        return False
    cat = unicodedata.category(ch)
    return cat in ("Cc", "Cf", "Cn", "Co", "Cs")


def strip_markup(text: str) -> str:
    """Remove HTML/XML tags and script blocks and decode entities, leaving no ``<``/``>``.

    The result is plain text: whatever page shows it still escapes it, but nothing here can form a
    tag even if someone forgets to.
    """
    if "<" in text or "&" in text:
        text = _DROP_BLOCKS.sub(" ", text)
        text = _TAG.sub(" ", text)
        text = html.unescape(text)
        text = _DROP_BLOCKS.sub(" ", text)  # entities may have hidden a second layer
        text = _TAG.sub(" ", text)
    return text.replace("<", " ").replace(">", " ")


# Chinese full-width punctuation is what a Chinese reader expects to see back; NFKC would turn
# "，" into ",". Letters, digits and spaces still fold to half-width.
_KEEP_PUNCT = re.compile("([，！？：；（）])")


def _nfkc_keep_cjk_punctuation(text: str) -> str:
    return "".join(
        part if _KEEP_PUNCT.fullmatch(part) else unicodedata.normalize("NFKC", part)
        for part in _KEEP_PUNCT.split(text)
    )


def normalize_text(text: str, *, simplified: bool = True, max_chars: int | None = None) -> str:
    """NFKC (full-width letters, digits and punctuation become half-width), drop control/format
    characters and NUL bytes, strip markup, convert to simplified characters, squeeze spaces.

    ``max_chars`` cuts the result (used for display snippets, never silently on a question).
    """
    if not isinstance(text, str):
        raise TypeError("text must be str")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if not _is_dropped_char(ch))
    text = _nfkc_keep_cjk_punctuation(text)
    text = strip_markup(text)
    if simplified:
        text = to_simplified(text)
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    text = _NEWLINES.sub("\n\n", text).strip()
    if max_chars is not None and len(text) > max_chars:
        text = text[:max_chars].rstrip() + "…"
    return text


def has_cjk(text: str) -> bool:
    """True when the text contains at least one Chinese character."""
    return bool(_CJK.search(text))


def clean_question(raw: object, *, max_chars: int = MAX_QUESTION_CHARS) -> str:
    """Validate and normalise a consultation question; raise :class:`QuestionError` when it
    cannot be answered (empty, too long, no words, not Chinese)."""
    if raw is None:
        raise QuestionError("请填写您要咨询的问题。")
    if not isinstance(raw, str):
        raise QuestionError("问题必须是文字。")
    # Refuse huge input before the (linear but not free) clean-up, with headroom for markup.
    if len(raw) > max_chars * 20:
        raise QuestionError(f"问题太长（超过 {max_chars} 字），请概括主要情况后再提问。")
    text = normalize_text(raw)
    if not text:
        if "<" in raw or "&" in raw:
            raise QuestionError("问题中只有网页代码、没有文字，请用文字描述您遇到的情况。")
        raise QuestionError("问题是空的，请用文字描述您遇到的情况。")
    if len(text) > max_chars:
        raise QuestionError(f"问题太长（超过 {max_chars} 字），请概括主要情况后再提问。")
    if not _WORDISH.search(text):
        raise QuestionError("没有识别到文字（只有表情或符号），请用文字描述您遇到的情况。")
    if not has_cjk(text):
        raise QuestionError("目前只能回答中文提问，请用中文描述您的问题；也可拨打 12348 公共法律服务热线。")
    return text

"""Masking of personal numbers typed into free text (咨询问题) before it is stored or shown.

People paste their ID number, phone and bank card into questions ("我身份证号 110105…, 电话
138…"). The question text is kept for staff review and for improving the knowledge base, so these
numbers are replaced by a label before anything is stored. Masking errs on the side of hiding: a
long digit run that is not an ID number is still hidden as a card number.

Recognised (after full-width digits are folded to ASCII):
- 居民身份证号: 18 characters (17 digits + digit or X, GB 11643) and the old 15-digit form;
- 手机号: mainland mobile numbers 1[3-9]x xxxx xxxx, with +86/0086/86 and spaces or dashes;
- 固定电话: area code 0xx/0xxx plus a 7–8 digit number, with dash, space or brackets;
- 银行卡号: 16–19 digits, also written in groups of four.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["MASKS", "PiiMatch", "find_pii", "mask_pii", "without_masks"]

MASKS = {
    "id_number": "[身份证号已隐去]",
    "mobile": "[手机号已隐去]",
    "landline": "[电话号码已隐去]",
    "bank_card": "[银行卡号已隐去]",
}

_FULLWIDTH = str.maketrans("０１２３４５６７８９ｘＸ－＋（）　", "0123456789xX-+() ")

_ND = r"(?<![0-9])"  # not preceded by a digit
_NA = r"(?![0-9])"  # not followed by a digit
_SEP = r"[ \-]?"

# Order matters: longer and more specific patterns first, each masked span is then skipped.
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    # 18-digit ID: region(6) + yyyymmdd + seq(3) + check(digit or X); date kept loose on purpose
    # (typos in the birthdate are still somebody's number).
    ("id_number", re.compile(_ND + r"[1-9]\d{5}(?:18|19|20)\d{2}[01]\d[0-3]\d\d{3}[0-9Xx](?![0-9A-Za-z])")),
    # Bank cards: 16-19 digits in one run, or groups of four separated by a space or dash.
    ("bank_card", re.compile(_ND + r"(?:\d{16,19}|\d{4}(?:[ \-]\d{4}){3}(?:[ \-]\d{1,4})?)" + _NA)),
    # Mobile, optional country code, optional separators in the 3-4-4 layout.
    (
        "mobile",
        re.compile(
            r"(?:(?<![0-9])(?:\+|00)?86[ \-]?|" + _ND + r")1[3-9]\d" + _SEP + r"\d{4}" + _SEP + r"\d{4}" + _NA
        ),
    ),
    # 15-digit ID (issued before 1999): region(6) + yymmdd + seq(3).
    ("id_number", re.compile(_ND + r"[1-9]\d{5}\d{2}[01]\d[0-3]\d\d{3}" + _NA)),
    # Landline with area code: 010-12345678, (0571)8888 8888, 0755 12345678.
    (
        "landline",
        re.compile(r"(?:\(0\d{2,3}\)|" + _ND + r"0\d{2,3})" + r"[ \-]?[2-9]\d{2,3}[ \-]?\d{4}" + _NA),
    ),
    # Any other run of 15+ digits is somebody's account of some kind.
    ("bank_card", re.compile(_ND + r"\d{15,}" + _NA)),
]


@dataclass(frozen=True)
class PiiMatch:
    kind: str
    start: int
    end: int


def find_pii(text: str) -> list[PiiMatch]:
    """Spans of personal numbers in ``text`` (indices refer to ``text`` itself)."""
    folded = text.translate(_FULLWIDTH)
    taken = [False] * len(folded)
    found: list[PiiMatch] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(folded):
            if any(taken[m.start() : m.end()]):
                continue
            found.append(PiiMatch(kind, m.start(), m.end()))
            for i in range(m.start(), m.end()):
                taken[i] = True
    found.sort(key=lambda m: m.start)
    return found


def mask_pii(text: str) -> str:
    """Replace ID numbers, phone numbers and bank-card numbers with a label such as
    ``[手机号已隐去]``. Other text is returned unchanged."""
    if not text:
        return text
    matches = find_pii(text)
    if not matches:
        return text
    parts: list[str] = []
    pos = 0
    for m in matches:
        parts.append(text[pos : m.start])
        parts.append(MASKS[m.kind])
        pos = m.end
    parts.append(text[pos:])
    return "".join(parts)


_MASK_RE = re.compile("|".join(re.escape(m) for m in MASKS.values()))


def without_masks(text: str) -> str:
    """The masked text with the mask labels removed: what to classify and search with, since a
    label such as "[身份证号已隐去]" is no evidence of what the question is about."""
    return _MASK_RE.sub(" ", text).strip()

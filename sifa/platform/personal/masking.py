"""How personal data is shown to someone without the reveal permission.

Choices (docs/personal-data.md explains them):
- ID number: first 3 and last 4 characters, 110***********002X. The first 6 digits (county of
  first registration) together with a name narrow a person down a lot; the birth date (characters
  7–14) is never shown. The last 4 let a clerk compare against a card in hand.
- Mobile: first 3 and last 4, 138****5678 (the near-universal Chinese practice).
  Landline: area code and last 4, 010-****5678.
- Name: the surname (one character, or two for a compound surname such as 欧阳) and one * per
  remaining character: 张*, 张**, 欧阳**. Minority-style names with "·" keep the separator.

Every mask keeps the length, so a masked value lines up in tables. Unparseable input is masked
generically (at most the last 2 characters shown) rather than echoed back.
"""

from __future__ import annotations

from sifa.platform.personal.phones import PhoneKind, validate_phone
from sifa.platform.personal.problems import ValidationProblem, clean_text

MASK = "*"

# Two-character surnames (复姓) common enough to matter in a provincial population.
_COMPOUND = (
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 司空 令狐 夏侯 轩辕 端木 独孤 南宫 西门 "
    "万俟 闻人 澹台 公冶 宗政 濮阳 太叔 申屠 钟离 呼延 赫连 第五 百里 东郭 左丘 拓跋 完颜 单于 亓官 仲孙 "
    "淳于 梁丘 谷梁 公羊 乐正 壤驷 巫马 漆雕 段干 锺离"
)
COMPOUND_SURNAMES = frozenset(_COMPOUND.split())


def _generic(s: str, keep_tail: int = 2) -> str:
    if len(s) <= keep_tail * 2:
        return MASK * len(s)
    return MASK * (len(s) - keep_tail) + s[-keep_tail:]


def mask_id_number(value: str) -> str:
    s = clean_text(value).upper()
    if len(s) == 18:
        return s[:3] + MASK * 11 + s[-4:]
    return _generic(s)


def mask_phone(value: str) -> str:
    s = clean_text(value)
    try:
        phone = validate_phone(s)
    except ValidationProblem:
        return _generic(s)
    if phone.kind is PhoneKind.MOBILE:
        n = phone.national
        return n[:3] + MASK * 4 + n[-4:]
    area, subscriber = phone.national.split("-")
    return f"{area}-{MASK * (len(subscriber) - 4)}{subscriber[-4:]}"


def surname_length(name: str) -> int:
    return 2 if len(name) > 2 and name[:2] in COMPOUND_SURNAMES else 1


def mask_name(value: str) -> str:
    s = clean_text(value)
    if len(s) <= 1:
        return MASK * len(s)
    keep = surname_length(s)
    return s[:keep] + "".join(c if c in "·• " else MASK for c in s[keep:])

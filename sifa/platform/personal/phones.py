"""Mainland China phone numbers: mobiles (1[3-9]x, 11 digits) and landlines (0 + area code +
7/8-digit subscriber number), normalised. The shape is checked here; whether the prefix or area
code is allocated is asked of `phonenumbers` (Google's libphonenumber metadata, updated monthly).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

import phonenumbers
from phonenumbers import PhoneNumberType

from sifa.platform.personal.problems import ValidationProblem, clean_text

_SEPARATORS = re.compile(r"[\s\-()（）.]")
_MOBILE = re.compile(r"1[3-9]\d{9}", re.ASCII)
_LANDLINE = re.compile(r"0[1-9]\d{8,10}", re.ASCII)


class PhoneKind(StrEnum):
    MOBILE = "mobile"
    LANDLINE = "landline"


@dataclass(frozen=True)
class Phone:
    kind: PhoneKind
    e164: str  # "+8613812345678" — the canonical form (stored, blind-indexed)
    national: str  # "13812345678" or "010-12345678" — how it is shown in China

    def __str__(self) -> str:
        return self.national


def _problem(detail_zh: str, detail_en: str) -> ValidationProblem:
    return ValidationProblem(
        "phone.invalid",
        f"电话号码无效：{detail_zh}（手机 11 位，座机如 010-12345678）",
        f"invalid phone number: {detail_en} (mobile: 11 digits; landline e.g. 010-12345678)",
    )


def validate_phone(raw: object) -> Phone:
    """Validate and normalise a mainland mobile or landline number; raises ValidationProblem.

    Accepts spaces, dashes, brackets, full-width digits and a +86 / 0086 / 86 prefix.
    """
    s = _SEPARATORS.sub("", clean_text(raw))
    if not s:
        raise ValidationProblem("phone.empty", "请输入电话号码", "enter a phone number")
    international = False
    for prefix in ("+86", "0086"):
        if s.startswith(prefix):
            s, international = s[len(prefix) :], True
            break
    else:
        if s.startswith("86") and len(s) == 13 and s[2] == "1":
            s, international = s[2:], True
    if not s.isascii() or not s.isdigit():
        raise _problem("只能包含数字", "only digits, spaces and dashes are allowed")
    if international and not s.startswith("0") and not _MOBILE.fullmatch(s):
        s = "0" + s  # "+86 10 12345678": the trunk 0 is dropped after the country code
    if _MOBILE.fullmatch(s):
        kind = PhoneKind.MOBILE
    elif _LANDLINE.fullmatch(s):
        kind = PhoneKind.LANDLINE
    else:
        raise _problem("位数或开头不对", "wrong length or leading digits")
    number = phonenumbers.parse(s, "CN")
    wanted = {PhoneNumberType.MOBILE} if kind is PhoneKind.MOBILE else {PhoneNumberType.FIXED_LINE}
    wanted.add(PhoneNumberType.FIXED_LINE_OR_MOBILE)
    if not phonenumbers.is_valid_number(number) or phonenumbers.number_type(number) not in wanted:
        raise _problem("号段或区号不存在", "the prefix or area code is not in use")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if kind is PhoneKind.MOBILE:
        national = s
    else:
        area_len = phonenumbers.length_of_geographical_area_code(number)
        national = f"{s[: area_len + 1]}-{s[area_len + 1 :]}"
    return Phone(kind=kind, e164=e164, national=national)

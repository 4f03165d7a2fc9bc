"""Personal numbers typed into a question are masked before storage (issue 4; GB 11643 ID numbers,
mainland phone numbers, bank cards), and ordinary numbers (amounts, dates, article numbers) are not."""

from __future__ import annotations

import re
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from sifa.intelligence.text import mask_pii
from sifa.intelligence.text.pii import MASKS, find_pii

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def gb11643_check(first17: str) -> str:
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


@st.composite
def id_numbers(draw: st.DrawFn) -> str:
    region = draw(st.sampled_from(["110105", "310104", "440305", "510107", "640302", "152502"]))
    born = date(1940, 1, 1) + timedelta(days=draw(st.integers(0, 365 * 80)))
    seq = draw(st.integers(0, 999))
    first17 = f"{region}{born:%Y%m%d}{seq:03d}"
    return first17 + gb11643_check(first17)


@st.composite
def mobiles(draw: st.DrawFn) -> str:
    digits = (
        "1"
        + draw(st.sampled_from("3456789"))
        + "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=9, max_size=9)))
    )
    style = draw(st.sampled_from(["plain", "dash", "space", "+86", "86"]))
    if style == "dash":
        return f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"
    if style == "space":
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    if style == "+86":
        return "+86 " + digits
    if style == "86":
        return "86" + digits
    return digits


@st.composite
def bank_cards(draw: st.DrawFn) -> str:
    n = draw(st.integers(16, 19))
    digits = "62" + "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=n - 2, max_size=n - 2)))
    if draw(st.booleans()):
        return " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))
    return digits


_context = st.sampled_from(["我的号码是", "电话：", "身份证", "卡号", "请联系", "，", "（", "我叫张三"])
_tail = st.sampled_from(["", "，谢谢", "。老板拖欠工资怎么办", "）", "吗？"])


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


@given(id_numbers(), _context, _tail)
@settings(max_examples=150, deadline=None)
def test_id_numbers_are_masked(number: str, before: str, after: str) -> None:
    masked = mask_pii(before + number + after)
    assert MASKS["id_number"] in masked
    assert _digits(number)[:17] not in _digits(masked)


@given(id_numbers(), _context)
@settings(max_examples=50, deadline=None)
def test_lower_case_x_check_digit_and_full_width_digits_are_masked(number: str, before: str) -> None:
    full_width = number.translate(str.maketrans("0123456789X", "０１２３４５６７８９ｘ"))
    assert MASKS["id_number"] in mask_pii(before + full_width)


def test_fifteen_digit_id_number_is_masked() -> None:
    assert mask_pii("老身份证号110105491231002，怎么换") == f"老身份证号{MASKS['id_number']}，怎么换"


@given(mobiles(), _context, _tail)
@settings(max_examples=150, deadline=None)
def test_mobile_numbers_are_masked(number: str, before: str, after: str) -> None:
    masked = mask_pii(before + number + after)
    assert MASKS["mobile"] in masked
    assert _digits(number)[-11:] not in _digits(masked)


def test_landlines_with_area_code_are_masked() -> None:
    for number in ("010-62345678", "0571-88886666", "(0755)2345 6789", "021 54321234"):
        masked = mask_pii(f"座机{number}找我")
        assert masked == f"座机{MASKS['landline']}找我", number


@given(bank_cards(), _context, _tail)
@settings(max_examples=150, deadline=None)
def test_bank_card_numbers_are_masked(number: str, before: str, after: str) -> None:
    masked = mask_pii(before + number + after)
    assert _digits(number) not in _digits(masked)
    assert "已隐去" in masked


def test_ordinary_numbers_are_left_alone() -> None:
    for text in (
        "借给他50000元，约定年利率3.85%",
        "2023年12月29日发生的事故，伤残十级，赔了126800元",
        "劳动合同法第39条，工作了12年",
        "欠款1234567元",
    ):
        assert mask_pii(text) == text
        assert find_pii(text) == []


def test_several_numbers_in_one_question_are_all_masked() -> None:
    text = "我叫李四，身份证11010519491231002X，手机13812345678，工资卡6222021234567890123没收到钱"
    masked = mask_pii(text)
    assert masked.count("已隐去") == 3
    assert not re.search(r"\d{7,}", masked)

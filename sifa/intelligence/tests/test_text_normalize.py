"""Normalisation and validation of typed questions (bad input must give a clear Chinese error)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sifa.intelligence.text import (
    MAX_QUESTION_CHARS,
    QuestionError,
    clean_question,
    normalize_text,
    strip_markup,
    to_simplified,
)


def test_full_width_letters_and_digits_become_half_width() -> None:
    assert normalize_text("ＡＢＣ１２３") == "ABC123"


def test_chinese_punctuation_is_kept_full_width() -> None:
    assert normalize_text("老板拖欠工资，怎么办？") == "老板拖欠工资，怎么办？"


def test_traditional_characters_become_simplified() -> None:
    assert to_simplified("離婚後孩子撫養權歸誰") == "离婚后孩子抚养权归谁"
    assert clean_question("我的老闆拖欠薪水怎麼辦") == "我的老板拖欠薪水怎么办"


def test_nul_and_control_characters_are_removed() -> None:
    assert normalize_text("工\x00资\x07被\u200b拖欠\ufeff") == "工资被拖欠"


def test_script_blocks_and_tags_are_dropped_and_no_angle_bracket_survives() -> None:
    text = normalize_text("<script>alert('x')</script><b>公司</b>不发工资 &lt;img src=x onerror=alert(1)&gt;")
    assert "公司" in text and "不发工资" in text
    assert "<" not in text and ">" not in text
    assert "alert('x')" not in text


def test_entity_encoded_script_is_removed_too() -> None:
    assert "alert" not in strip_markup("&lt;script&gt;alert(1)&lt;/script&gt;问题")


@given(st.text(max_size=300))
@settings(max_examples=200, deadline=None)
def test_normalised_text_never_contains_markup_or_nul(raw: str) -> None:
    text = normalize_text(raw)
    assert "<" not in text and ">" not in text and "\x00" not in text


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("", "空"),
        ("   \n\t ", "空"),
        ("\x00\x00", "空"),
        ("😀😂👍", "表情"),
        ("<script>alert(1)</script>", "网页代码"),
        ("My boss has not paid me for three months", "中文"),
    ],
)
def test_unanswerable_questions_raise_a_chinese_error_naming_the_field(raw: str, fragment: str) -> None:
    with pytest.raises(QuestionError) as err:
        clean_question(raw)
    assert str(err.value).startswith("question：")
    assert fragment in str(err.value)
    assert isinstance(err.value, ValueError)


def test_huge_input_is_refused_not_cut() -> None:
    with pytest.raises(QuestionError, match="太长"):
        clean_question("工资" * 50_000)  # 100 KB


def test_question_at_the_limit_is_accepted() -> None:
    assert len(clean_question("欠" * MAX_QUESTION_CHARS)) == MAX_QUESTION_CHARS


def test_non_string_question_is_refused() -> None:
    with pytest.raises(QuestionError):
        clean_question(123)
    with pytest.raises(QuestionError):
        clean_question(None)

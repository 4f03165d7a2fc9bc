"""ID numbers (GB 11643-1999) and unified social credit codes (GB 32100-2015), STATUTORY_RULES §8."""

from __future__ import annotations

import contextlib
import random
from datetime import date

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sifa.platform.personal import (
    Sex,
    ValidationProblem,
    make_id_number,
    make_uscc,
    validate_id_number,
    validate_uscc,
)
from sifa.platform.personal.identifiers import (
    ID_CHECK_CHARS,
    ID_WEIGHTS,
    USCC_ALPHABET,
    USCC_DEPARTMENTS,
    org_code_check_char,
)

# Property tests run with deadline=None: CI shares 2 cores, and speed is not what they test.

TODAY = date(2026, 11, 23)


# --- worked examples from §8 -----------------------------------------------------------------------


def test_gb11643_worked_example_passes() -> None:
    """§8: 11010519491231002X passes (Beijing 朝阳, born 1949-12-31, sequence 002 → female)."""
    n = validate_id_number("11010519491231002X", today=TODAY)
    assert n.area_code == "110105"
    assert n.birth_date == date(1949, 12, 31)
    assert n.sex is Sex.FEMALE
    assert n.age_on(date(2026, 12, 30)) == 76
    assert n.age_on(date(2026, 12, 31)) == 77


def test_lowercase_x_spaces_and_full_width_are_accepted_and_normalised() -> None:
    assert validate_id_number(" 11010519491231002x ", today=TODAY).value == "11010519491231002X"
    assert (
        validate_id_number("１１０１０５１９４９１２３１００２Ｘ", today=TODAY).value == "11010519491231002X"
    )


def test_gb32100_worked_example_passes() -> None:
    """§8: 91110108551385082Q passes: 工商 (9) enterprise (1), region 110108, org code 55138508-2."""
    code = validate_uscc("91110108551385082Q")
    assert (code.department, code.category, code.region, code.org_code) == ("9", "1", "110108", "551385082")
    assert code.department_zh == "工商"
    assert code.category_zh == "企业"


def test_gb11714_org_code_check_of_the_worked_example() -> None:
    """GB 11714 weights 3 7 9 10 5 8 4 2 over 55138508: Σ = 196, 196 mod 11 = 9, 11 − 9 = 2."""
    assert org_code_check_char("55138508") == "2"


# --- rejections with the reason -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "id_number.empty"),
        ("110105491231002", "id_number.old_format"),
        ("11010519491231002", "id_number.length"),
        ("1101051949123100AX", "id_number.characters"),
        ("99010519491231002X", "id_number.area"),  # 99 is no province
        ("110105194902300021", "id_number.birth_date"),  # 30 February
        ("110105189912310021", "id_number.birth_date"),  # before 1900
        ("110105203001010021", "id_number.birth_date"),  # in the future
        ("110105194912310021", "id_number.check_digit"),
    ],
)
def test_invalid_id_numbers_are_rejected_with_a_reason(raw: str, code: str) -> None:
    with pytest.raises(ValidationProblem) as info:
        validate_id_number(raw, today=TODAY)
    assert info.value.code == code
    assert info.value.zh
    assert info.value.en


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("91110108551385082", "uscc.length"),
        ("91110108551385O82Q", "uscc.characters"),  # letter O is not in the alphabet
        ("B1110108551385082Q", "uscc.department"),
        ("94110108551385082Q", "uscc.category"),  # 工商 has categories 1–3 only
        ("91110108551385083Q", "uscc.org_code"),
        ("91110108551385082R", "uscc.check_digit"),
    ],
)
def test_invalid_uscc_rejected_with_a_reason(raw: str, code: str) -> None:
    with pytest.raises(ValidationProblem) as info:
        validate_uscc(raw)
    assert info.value.code == code


# --- properties ------------------------------------------------------------------------------------

births = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
areas = st.sampled_from(["110105", "360102", "360721", "440305", "650102", "810000"])
sexes = st.sampled_from(list(Sex))


@settings(deadline=None)
@given(st.integers(0, 2**32), births, areas, sexes)
def test_generated_id_numbers_validate_and_carry_their_facts(
    seed: int, birth: date, area: str, sex: Sex
) -> None:
    value = make_id_number(random.Random(seed), birth, area, sex)
    n = validate_id_number(value, today=TODAY)
    assert (n.birth_date, n.area_code, n.sex) == (birth, area, sex)


@settings(deadline=None)
@given(st.integers(0, 2**32), births, st.integers(0, 17), st.sampled_from("0123456789X"))
def test_any_single_character_change_of_an_id_number_is_rejected(
    seed: int, birth: date, position: int, replacement: str
) -> None:
    """GB 11643's mod-11 check with these weights detects every single substitution."""
    value = make_id_number(random.Random(seed), birth, "360102", None)
    assume(value[position] != replacement)
    changed = value[:position] + replacement + value[position + 1 :]
    with pytest.raises(ValidationProblem):
        validate_id_number(changed, today=TODAY)


@settings(deadline=None)
@given(st.integers(0, 2**32), st.integers(0, 16), st.integers(0, 16))
def test_swapping_two_digits_with_different_weights_is_rejected(seed: int, i: int, j: int) -> None:
    """A swap changes Σ by (a − b)(w_i − w_j), never ≡ 0 mod 11 when the weights differ. Positions
    with equal weights (1 and 11, 3 and 13, …: the weights repeat after 10) are not protected."""
    value = make_id_number(random.Random(seed))
    assume(value[i] != value[j] and ID_WEIGHTS[i] != ID_WEIGHTS[j])
    chars = list(value)
    chars[i], chars[j] = chars[j], chars[i]
    with pytest.raises(ValidationProblem):
        validate_id_number("".join(chars), today=TODAY)


def test_check_character_table_matches_gb11643() -> None:
    """The table 1 0 X 9 8 7 6 5 4 3 2 is 12 − r mod 11 for r = 0…10, with 10 written X."""
    assert "".join("X" if (12 - r) % 11 == 10 else str((12 - r) % 11) for r in range(11)) == ID_CHECK_CHARS


uscc_kinds = st.sampled_from([(d, c) for d, (_, cats) in USCC_DEPARTMENTS.items() for c in cats])


@settings(deadline=None)
@given(st.integers(0, 2**32), uscc_kinds, st.sampled_from(["360000", "360100", "110108", "100000"]))
def test_generated_uscc_validate(seed: int, kind: tuple[str, str], region: str) -> None:
    department, category = kind
    code = validate_uscc(make_uscc(random.Random(seed), department, category, region))
    assert (code.department, code.category, code.region) == (department, category, region)


@settings(deadline=None)
@given(st.integers(0, 2**32), st.integers(0, 17), st.sampled_from(USCC_ALPHABET))
def test_any_single_character_change_of_a_uscc_is_rejected(
    seed: int, position: int, replacement: str
) -> None:
    value = make_uscc(random.Random(seed), "3", "1", "360100")
    assume(value[position] != replacement)
    with pytest.raises(ValidationProblem):
        validate_uscc(value[:position] + replacement + value[position + 1 :])


@settings(deadline=None)
@given(st.text(max_size=30))
def test_validators_never_crash_on_arbitrary_text(text: str) -> None:
    """Any input either validates or raises ValidationProblem — never another exception."""
    for validate in (validate_id_number, validate_uscc):
        with contextlib.suppress(ValidationProblem):
            validate(text)

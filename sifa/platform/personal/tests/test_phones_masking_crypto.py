"""Phone numbers, masking and field encryption with a blind index (issue 3 item 6)."""

from __future__ import annotations

import base64
import os
import random
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sifa.platform.personal import (
    DecryptionError,
    FieldCipher,
    KeyringError,
    PhoneKind,
    ValidationProblem,
    blind_index,
    make_id_number,
    mask_id_number,
    mask_name,
    mask_phone,
    parse_keyring,
    validate_id_number,
    validate_phone,
)

# Property tests run with deadline=None: CI shares 2 cores, and speed is not what they test.

# --- phones ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "national", "kind"),
    [
        ("13812345678", "13812345678", PhoneKind.MOBILE),
        ("+86 138-1234-5678", "13812345678", PhoneKind.MOBILE),
        ("8613812345678", "13812345678", PhoneKind.MOBILE),
        ("１３８ １２３４ ５６７８", "13812345678", PhoneKind.MOBILE),
        ("010-12345678", "010-12345678", PhoneKind.LANDLINE),
        ("(0791) 8888 8888", "0791-88888888", PhoneKind.LANDLINE),
        ("+86 10 1234 5678", "010-12345678", PhoneKind.LANDLINE),
    ],
)
def test_phone_numbers_are_normalised(raw: str, national: str, kind: PhoneKind) -> None:
    phone = validate_phone(raw)
    assert (phone.national, phone.kind) == (national, kind)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "1381234567",
        "23812345678",
        "12345678901",
        "0791-8888888",
        "12348",
        "+1 415 555 0100",
        "138abc45678",
    ],
)
def test_invalid_phone_numbers_are_rejected(raw: str) -> None:
    with pytest.raises(ValidationProblem):
        validate_phone(raw)


@settings(deadline=None)
@given(st.sampled_from("3456789"), st.from_regex(r"\A[0-9]{9}\Z"), st.sampled_from(["", "+86", "86", "0086"]))
def test_spellings_of_one_mobile_normalise_alike(second: str, rest: str, prefix: str) -> None:
    number = f"1{second}{rest}"
    try:
        plain = validate_phone(number)
    except ValidationProblem:
        return  # an unallocated prefix: phonenumbers says so, and the spellings below agree
    spaced = f"{prefix} {number[:3]}-{number[3:7]}-{number[7:]}"
    assert validate_phone(spaced) == plain


# --- masking ---------------------------------------------------------------------------------------


def test_masks_follow_the_documented_patterns() -> None:
    assert mask_id_number("11010519491231002X") == "110***********002X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("010-12345678") == "010-****5678"
    assert mask_name("张三") == "张*"
    assert mask_name("张三丰") == "张**"
    assert mask_name("欧阳娜娜") == "欧阳**"
    assert mask_name("买买提·艾力") == "买**·**"


@settings(deadline=None)
@given(st.integers(0, 2**32))
def test_id_mask_never_shows_the_birth_date_or_more_than_seven_characters(seed: int) -> None:
    value = make_id_number(random.Random(seed))
    masked = mask_id_number(value)
    assert len(masked) == 18
    assert masked[6:14] == "*" * 8
    assert sum(c != "*" for c in masked) <= 7
    assert all(m in ("*", v) for m, v in zip(masked, value, strict=True))


@settings(deadline=None)
@given(st.text(min_size=0, max_size=40))
def test_masks_never_echo_arbitrary_input(text: str) -> None:
    """Whatever is passed, an ID or phone mask shows at most 7 characters, a name mask at most the
    2 characters of a compound surname (separators such as spaces and "·" aside)."""
    for mask in (mask_id_number, mask_phone):
        assert sum(c != "*" for c in mask(text)) <= 7
    assert sum(c not in "*·• " for c in mask_name(text)) <= 2


@settings(deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=2, max_size=5))
def test_name_mask_shows_only_the_surname(name: str) -> None:
    masked = mask_name(name)
    assert len(masked) == len(name)
    shown = len(masked.rstrip("*"))
    assert shown in (1, 2)
    assert masked[:shown] == name[:shown]


# --- encryption and blind index ---------------------------------------------------------------------


def cipher(current: str = "k2") -> FieldCipher:
    return FieldCipher({"k1": b"\x01" * 32, "k2": b"\x02" * 32}, current)


@settings(deadline=None)
@given(st.text(max_size=200), st.text(max_size=20))
def test_encrypt_decrypt_round_trip(value: str, context: str) -> None:
    c = cipher()
    token = c.encrypt(value, context)
    assert c.decrypt(token, context) == value


def test_ciphertext_reveals_nothing_obvious_and_differs_each_time() -> None:
    c = cipher()
    a, b = c.encrypt("11010519491231002X"), c.encrypt("11010519491231002X")
    assert a != b  # random nonce
    assert "1101" not in a
    assert a.startswith("g1:k2:")


def test_old_key_still_decrypts_and_rotation_moves_to_current() -> None:
    old = cipher("k1").encrypt("13812345678", "person.phone")
    new_cipher = cipher("k2")
    assert new_cipher.decrypt(old, "person.phone") == "13812345678"
    assert new_cipher.needs_rotation(old)
    rotated = new_cipher.rotate(old, "person.phone")
    assert rotated.startswith("g1:k2:")
    assert new_cipher.decrypt(rotated, "person.phone") == "13812345678"


def test_tampering_wrong_context_and_unknown_key_are_refused() -> None:
    c = cipher()
    token = c.encrypt("secret", "person.id_number")
    with pytest.raises(DecryptionError):
        c.decrypt(token, "person.phone")  # copied into another column
    body = token.split(":")[2]
    flipped = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
    with pytest.raises(DecryptionError):
        c.decrypt(f"g1:k2:{flipped}", "person.id_number")
    with pytest.raises(DecryptionError):
        c.decrypt(token.replace("g1:k2:", "g1:k1:"), "person.id_number")  # relabelled key id
    with pytest.raises(DecryptionError):
        FieldCipher({"k9": b"\x09" * 32}, "k9").decrypt(token)
    with pytest.raises(DecryptionError):
        c.decrypt("not a token")


def test_keyring_from_settings_format() -> None:
    k1, k2 = os.urandom(32), os.urandom(32)
    spec = f"new:{base64.urlsafe_b64encode(k1).decode().rstrip('=')},old:{base64.b64encode(k2).decode()}"
    keys, current = parse_keyring(spec)
    assert keys == {"new": k1, "old": k2}
    assert current == "new"
    with pytest.raises(KeyringError):
        FieldCipher({"k": b"short"}, "k")
    with pytest.raises(KeyringError):
        parse_keyring("")


def test_blind_index_matches_spellings_after_validation_and_depends_on_key_and_domain() -> None:
    key = b"\x07" * 32
    a = blind_index(validate_id_number("11010519491231002x", today=date(2026, 1, 1)).value, key, domain="id")
    b = blind_index("11010519491231002X", key, domain="id")
    assert a == b
    assert blind_index("11010519491231002X", b"\x08" * 32, domain="id") != a
    assert blind_index("11010519491231002X", key, domain="phone") != a
    with pytest.raises(KeyringError):
        blind_index("x", b"short")


@settings(deadline=None)
@given(st.text(max_size=30), st.text(max_size=30))
def test_blind_index_equal_exactly_when_normalised_values_are_equal(x: str, y: str) -> None:
    from sifa.platform.personal import normalise_for_index

    key = b"\x05" * 32
    assert (blind_index(x, key) == blind_index(y, key)) == (normalise_for_index(x) == normalise_for_index(y))

"""Django glue for the framework-free personal-data module: keys from settings, messages in the
user's language, and the protect/lookup helpers models and services use."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.utils.translation import get_language

from sifa.platform.personal import (
    FieldCipher,
    ValidationProblem,
    blind_index,
    decode_key,
    mask_id_number,
    mask_phone,
    validate_id_number,
    validate_phone,
)


@cache
def cipher() -> FieldCipher:
    return FieldCipher.from_spec(settings.PERSONAL_DATA_KEYS)


@cache
def _index_key() -> bytes:
    return decode_key(settings.BLIND_INDEX_KEY)


def problem_message(problem: ValidationProblem) -> str:
    """The validator's message in the active UI language."""
    return problem.en if (get_language() or "").startswith("en") else problem.zh


@dataclass(frozen=True)
class Protected:
    token: str  # AES-GCM ciphertext
    index: str  # keyed blind index for exact lookup
    masked: str  # what screens and exports show


def protect_id_number(raw: str) -> tuple[Protected, object]:
    """Validate (GB 11643), then encrypt, index and mask; returns the parsed ID for derived fields."""
    parsed = validate_id_number(raw)
    value = parsed.value
    return Protected(
        cipher().encrypt(value, context="id_number"), id_number_index(value), mask_id_number(value)
    ), parsed


def protect_phone(raw: str) -> Protected:
    phone = validate_phone(raw)
    value = str(phone)
    return Protected(
        cipher().encrypt(value, context="phone"),
        blind_index(value, _index_key(), domain="phone"),
        mask_phone(value),
    )


def id_number_index(value: str) -> str:
    return blind_index(validate_id_number(value).value, _index_key(), domain="id_number")


def reveal(token: str, context: str) -> str:
    return cipher().decrypt(token, context=context)

"""Personal data (framework-free: no Django imports): identifiers, masking, encryption, blind index.

    validate_id_number("11010519491231002X").birth_date   # date(1949, 12, 31)
    mask_phone("13812345678")                             # "138****5678"
    FieldCipher.from_spec(settings.PERSONAL_DATA_KEYS).encrypt("11010519491231002X")

See docs/personal-data.md.
"""

from sifa.platform.personal.crypto import (
    DecryptionError,
    FieldCipher,
    KeyringError,
    blind_index,
    decode_key,
    normalise_for_index,
    parse_keyring,
)
from sifa.platform.personal.identifiers import (
    IdNumber,
    Sex,
    Uscc,
    make_id_number,
    make_uscc,
    validate_id_number,
    validate_uscc,
)
from sifa.platform.personal.masking import mask_id_number, mask_name, mask_phone
from sifa.platform.personal.phones import Phone, PhoneKind, validate_phone
from sifa.platform.personal.problems import ValidationProblem

__all__ = [
    "DecryptionError",
    "FieldCipher",
    "IdNumber",
    "KeyringError",
    "Phone",
    "PhoneKind",
    "Sex",
    "Uscc",
    "ValidationProblem",
    "blind_index",
    "decode_key",
    "make_id_number",
    "make_uscc",
    "mask_id_number",
    "mask_name",
    "mask_phone",
    "normalise_for_index",
    "parse_keyring",
    "validate_id_number",
    "validate_phone",
    "validate_uscc",
]

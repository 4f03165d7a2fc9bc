"""Field encryption (AES-256-GCM with a key ring) and keyed blind indexes for exact lookup.

Token layout (text, safe in a VARCHAR column):  ``g1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>``
- ``g1`` = format version 1, AES-GCM; the key id says which key of the ring decrypts it, so keys
  can be rotated: new writes use the current key, old tokens still decrypt, and `rotate()`
  re-encrypts them under the current key.
- the 96-bit nonce is random per encryption (safe for far more than 2^32 values per key, which a
  provincial population does not reach).
- associated data binds the version, the key id and an optional `context` (e.g. "person.id_number"),
  so a token copied into another column or relabelled with another key id fails to decrypt.

Blind index: HMAC-SHA256 under a separate key over the normalised value (with a domain label, so
the same digits as an ID number and as a phone number index differently). Equal values give equal
indexes, enabling `WHERE id_number_index = ?` without decrypting; the key keeps an attacker with
the database alone from confirming a guessed value.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import unicodedata

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = "g1"
NONCE_BYTES = 12
_KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,32}", re.ASCII)
MIN_INDEX_KEY_BYTES = 32


class KeyringError(ValueError):
    """A key ring or key is unusable (wrong length, bad id, bad encoding)."""


class DecryptionError(ValueError):
    """A token is malformed, was made with an unknown key, or was tampered with."""


def decode_key(text: str) -> bytes:
    """Decode a key given as base64 (standard or URL-safe, padding optional)."""
    t = text.strip()
    try:
        return base64.urlsafe_b64decode(t.replace("+", "-").replace("/", "_") + "=" * (-len(t) % 4))
    except (binascii.Error, ValueError) as exc:
        raise KeyringError(f"key is not valid base64: {exc}") from None


def parse_keyring(spec: str) -> tuple[dict[str, bytes], str]:
    """Parse "kid:base64key,kid2:base64key" (settings format); the first key is the current one."""
    keys: dict[str, bytes] = {}
    current = ""
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        kid, sep, encoded = part.partition(":")
        if not sep:
            raise KeyringError("each key must be written as kid:base64key")
        if kid in keys:
            raise KeyringError(f"key id {kid!r} appears twice")
        keys[kid] = decode_key(encoded)
        current = current or kid
    if not keys:
        raise KeyringError("no personal-data key configured")
    return keys, current


class FieldCipher:
    """Encrypts and decrypts text values with the current key of a key ring."""

    def __init__(self, keys: dict[str, bytes], current: str) -> None:
        for kid, key in keys.items():
            if not _KEY_ID.fullmatch(kid):
                raise KeyringError(f"key id {kid!r} must be 1–32 of A-Z a-z 0-9 _ -")
            if len(key) not in (16, 24, 32):
                raise KeyringError(
                    f"key {kid!r} is {len(key)} bytes; AES needs 16, 24 or 32 (32 recommended)"
                )
        if current not in keys:
            raise KeyringError(f"current key id {current!r} is not in the key ring")
        self._aead = {kid: AESGCM(key) for kid, key in keys.items()}
        self.current = current

    @classmethod
    def from_spec(cls, spec: str) -> FieldCipher:
        keys, current = parse_keyring(spec)
        return cls(keys, current)

    @staticmethod
    def _aad(kid: str, context: str) -> bytes:
        return f"sifa:{VERSION}:{kid}:{context}".encode()

    def encrypt(self, plaintext: str, context: str = "") -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead[self.current].encrypt(nonce, plaintext.encode(), self._aad(self.current, context))
        body = base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")
        return f"{VERSION}:{self.current}:{body}"

    @staticmethod
    def key_id(token: str) -> str:
        parts = token.split(":")
        if len(parts) != 3 or parts[0] != VERSION:
            raise DecryptionError("not a Sifa encrypted value")
        return parts[1]

    def decrypt(self, token: str, context: str = "") -> str:
        kid = self.key_id(token)
        aead = self._aead.get(kid)
        if aead is None:
            raise DecryptionError(f"encrypted with key {kid!r}, which is not in the key ring")
        body = token.split(":")[2]
        try:
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except (binascii.Error, ValueError):
            raise DecryptionError("encrypted value is not valid base64") from None
        if len(raw) < NONCE_BYTES + 16:
            raise DecryptionError("encrypted value is too short")
        try:
            plain = aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], self._aad(kid, context))
        except InvalidTag:
            raise DecryptionError(
                "encrypted value fails authentication (tampered, or wrong context)"
            ) from None
        return plain.decode()

    def needs_rotation(self, token: str) -> bool:
        return self.key_id(token) != self.current

    def rotate(self, token: str, context: str = "") -> str:
        """Re-encrypt under the current key (unchanged if already current)."""
        if not self.needs_rotation(token):
            return token
        return self.encrypt(self.decrypt(token, context), context)


def normalise_for_index(value: str) -> str:
    """NFKC, trimmed, inner whitespace collapsed, case-folded (x and X in ID numbers match)."""
    return " ".join(unicodedata.normalize("NFKC", value).split()).casefold()


def blind_index(value: str, key: bytes, *, domain: str = "") -> str:
    """Hex HMAC-SHA256 of the normalised value. Validate first (e.g. pass `Phone.e164`), so that
    different spellings of one value index alike; `domain` separates kinds of value."""
    if len(key) < MIN_INDEX_KEY_BYTES:
        raise KeyringError(f"blind-index key must be at least {MIN_INDEX_KEY_BYTES} bytes, got {len(key)}")
    message = f"{domain}\x00{normalise_for_index(value)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()

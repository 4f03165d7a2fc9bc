"""Lenient parsing of the scalar values device clients actually send.

Real clients differ: timestamps come as Unix seconds, Unix milliseconds, ISO 8601 (with `Z`, an
offset, or none) or "yyyy-MM-dd HH:mm:ss"; some locales write decimals with a comma; a `+` in an
ISO offset turns into a space once a query string is URL-decoded. Anything else is a DecodeError
naming the field.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime

from .fixes import DecodeError

# Above this a numeric timestamp must be milliseconds: 1e11 s is the year 5138, 1e11 ms is 1973.
MS_THRESHOLD = 1e11
DEVICE_ID_MAX_LEN = 64
_DEVICE_ID_RE = re.compile(r"^[A-Za-z0-9_.:\-]{1,64}$")
# "2024-07-30T14:30:00 08:00" — a URL-decoded "+08:00" offset.
_SPACE_OFFSET_RE = re.compile(r"(\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")


def parse_number(value: object, field: str) -> float:
    """A finite float from a JSON number or a string; accepts one decimal comma ("28,68")."""
    if isinstance(value, bool):
        raise DecodeError(field, "expected a number, got a boolean")
    if isinstance(value, int | float):
        result = float(value)
    elif isinstance(value, str):
        text = value.strip()
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")
        try:
            result = float(text)
        except ValueError:
            raise DecodeError(field, f"not a number: {value[:40]!r}") from None
    else:
        raise DecodeError(field, f"expected a number, got {type(value).__name__}")
    if not math.isfinite(result):
        raise DecodeError(field, "not a finite number")
    return result


def parse_optional_number(value: object, field: str, *, unknown: float | None = None) -> float | None:
    """Like parse_number, but None/"" mean missing, and `unknown` (e.g. -1 on iOS) means missing."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    result = parse_number(value, field)
    if unknown is not None and result == unknown:
        return None
    return result


def parse_timestamp(value: object, field: str = "timestamp") -> float:
    """Epoch seconds (UTC) from seconds, milliseconds, ISO 8601 or "yyyy-MM-dd HH:mm:ss" (UTC)."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise DecodeError(field, "empty timestamp")
        try:
            number: float | None = float(text)
        except ValueError:
            number = None
        if number is None:
            return _parse_iso(text, field)
        value = number
    seconds = parse_number(value, field)
    if seconds > MS_THRESHOLD:
        seconds /= 1000.0
    if seconds < 0:
        raise DecodeError(field, "negative timestamp")
    return seconds


def _parse_iso(text: str, field: str) -> float:
    candidate = _SPACE_OFFSET_RE.sub(r"\1+\2", text)
    try:
        parsed = datetime.fromisoformat(candidate)
    except ValueError:
        raise DecodeError(field, f"not an ISO 8601 time or epoch number: {text[:40]!r}") from None
    if parsed.tzinfo is None:
        # Traccar reads "yyyy-MM-dd HH:mm:ss" without a zone as UTC; we do the same.
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def parse_device_id(value: object, field: str = "id") -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise DecodeError(field, "device id missing")
    text = value.strip()
    if not text:
        raise DecodeError(field, "device id missing")
    if not _DEVICE_ID_RE.match(text):
        raise DecodeError(field, "device id must be 1–64 characters of A–Z a–z 0–9 _ . : -")
    return text


def parse_bool(value: object, field: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"true", "1", "yes"}:
        return True
    if text in {"false", "0", "no"}:
        return False
    raise DecodeError(field, f"expected true/false/1/0, got {text[:10]!r}")

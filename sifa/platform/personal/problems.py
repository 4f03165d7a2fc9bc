"""The error every personal-data validator raises."""

from __future__ import annotations

import unicodedata


class ValidationProblem(ValueError):
    """An invalid identifier, phone number…, with a Chinese and an English message.

    Messages are field-neutral ("校验码不正确"), so the caller (a form, a serializer, a CSV import)
    puts them under the field it validated. `code` is stable for tests and API clients.
    """

    def __init__(self, code: str, zh: str, en: str) -> None:
        self.code = code
        self.zh = zh
        self.en = en
        super().__init__(f"{zh} / {en}")


def clean_text(raw: object) -> str:
    """NFKC-normalise (full-width digits typed with a Chinese IME become ASCII) and strip."""
    if not isinstance(raw, str):
        raise ValidationProblem("type", "应为文本", f"expected text, got {type(raw).__name__}")
    return unicodedata.normalize("NFKC", raw).strip()

"""Text utilities shared by the intelligence hub: normalisation, PII masking, word segmentation."""

from sifa.intelligence.text.normalize import (
    MAX_QUESTION_CHARS,
    QuestionError,
    clean_question,
    has_cjk,
    normalize_text,
    strip_markup,
    to_simplified,
)
from sifa.intelligence.text.pii import find_pii, mask_pii, without_masks
from sifa.intelligence.text.tokenize import tokenize

__all__ = [
    "MAX_QUESTION_CHARS",
    "QuestionError",
    "clean_question",
    "find_pii",
    "has_cjk",
    "mask_pii",
    "normalize_text",
    "strip_markup",
    "to_simplified",
    "tokenize",
    "without_masks",
]

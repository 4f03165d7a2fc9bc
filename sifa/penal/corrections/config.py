"""The rules in force: defaults from rules.py, overridden by ``settings.SIFA_CORRECTIONS_RULES``."""

from __future__ import annotations

from django.conf import settings

from .rules import CorrectionRules


def current_rules() -> CorrectionRules:
    # Not cached: the mapping is tiny, and tests/admins change settings at run time.
    return CorrectionRules.from_mapping(getattr(settings, "SIFA_CORRECTIONS_RULES", None))

"""The configurable rules (framework-free): leave tiers, Art 28 sanction thresholds, Art 29 period."""

from __future__ import annotations

from datetime import date

import pytest

from sifa.penal.corrections.rules import (
    CorrectionRules,
    SanctionFacts,
    SanctionKind,
    Tier,
    add_months,
    leave_days,
    leave_tier,
    monitoring_period_end_limit,
    suggest_sanction,
)

RULES = CorrectionRules()


@pytest.mark.parametrize(
    ("days", "in_window", "tier"),
    [
        (1, 1, Tier.OFFICE),
        (7, 7, Tier.OFFICE),
        (8, 8, Tier.COUNTY),
        (30, 30, Tier.COUNTY),
        (31, 31, Tier.HIGHER),
        (5, 31, Tier.HIGHER),
        (7, 30, Tier.OFFICE),
    ],
)
def test_art27_leave_tiers_by_length_and_two_month_total(days: int, in_window: int, tier: Tier) -> None:
    """Art 27 / 实施办法 [S/U]: ≤7 days office; >7 county (≤30 each); >30, or >30 in total in
    2 months, the next level up."""
    assert leave_tier(days, in_window, RULES) is tier


def test_leave_tiers_follow_configuration() -> None:
    rules = CorrectionRules.from_mapping({"leave_office_max_days": 3})
    assert leave_tier(5, 5, rules) is Tier.COUNTY
    assert leave_tier(5, 5, RULES) is Tier.OFFICE


def test_unknown_rule_override_is_an_error() -> None:
    with pytest.raises(ValueError, match="leave_days_max"):
        CorrectionRules.from_mapping({"leave_days_max": 3})


def test_leave_days_count_both_ends() -> None:
    assert leave_days(date(2026, 3, 1), date(2026, 3, 3)) == 3


@pytest.mark.parametrize(
    ("facts", "kind", "rule"),
    [
        (SanctionFacts(absconding_days=10), SanctionKind.REPRIMAND, "reprimand.absconding_short"),
        (SanctionFacts(absconding_days=11), SanctionKind.WARNING, "warning.absconding_over_limit"),
        (
            SanctionFacts(absconding_days=1, previous_reprimands=2),
            SanctionKind.WARNING,
            "warning.after_reprimands",
        ),
        (
            SanctionFacts(absconding_days=31),
            SanctionKind.REVOCATION_PROPOSAL,
            "revocation.absconding_over_month",
        ),
        (SanctionFacts(absconding_days=30), SanctionKind.WARNING, "warning.absconding_over_limit"),
        (SanctionFacts(previous_warnings=2), SanctionKind.REVOCATION_PROPOSAL, "revocation.after_warnings"),
        (
            SanctionFacts(public_security_penalty_uncorrected=True),
            SanctionKind.REVOCATION_PROPOSAL,
            "revocation.public_security_uncorrected",
        ),
        (SanctionFacts(), SanctionKind.REPRIMAND, "reprimand.minor_violation"),
        (SanctionFacts(previous_reprimands=1), SanctionKind.REPRIMAND, "reprimand.minor_violation"),
    ],
)
def test_art28_sanction_suggestion_thresholds(facts: SanctionFacts, kind: SanctionKind, rule: str) -> None:
    """Art 28 [S]: 训诫 for absconding ≤10 days; 警告 for >10 days or after 2 训诫; revocation proposal
    for >1 month, after 2 警告, or an 治安 penalty with no correction."""
    suggestion = suggest_sanction(facts, RULES)
    assert (suggestion.kind, suggestion.rule) == (kind, rule)
    assert "第二十八条" in suggestion.article


def test_art28_thresholds_are_configurable() -> None:
    rules = CorrectionRules.from_mapping({"reprimand_max_absconding_days": 5})
    assert suggest_sanction(SanctionFacts(absconding_days=6), rules).kind is SanctionKind.WARNING


@pytest.mark.parametrize(
    ("start", "limit"),
    [
        (date(2026, 3, 1), date(2026, 5, 31)),
        (date(2026, 11, 30), date(2027, 2, 27)),
        (date(2026, 1, 15), date(2026, 4, 14)),
    ],
)
def test_art29_monitoring_period_is_at_most_three_months(start: date, limit: date) -> None:
    assert monitoring_period_end_limit(start, RULES) == limit


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)

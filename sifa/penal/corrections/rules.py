"""The configurable rules of community corrections (framework-free: no Django imports).

Every number here that STATUTORY_RULES.md §3 marks [S] or [U] (secondary source / unverified —
mostly the 实施办法 and local practice) is a field of :class:`CorrectionRules`, so a province can
change it in settings (``SIFA_CORRECTIONS_RULES = {"leave_office_max_days": 5, ...}``) without a
code change. Values the statute itself fixes ([P]) are defaults too, because a later amendment
should also be a settings change.

The functions only *suggest* or *classify*; the services decide and record.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date
from enum import StrEnum
from typing import Any


def add_months(d: date, months: int) -> date:
    """``d`` plus ``months`` calendar months, clamped to the month's last day (1-31 + 1 → 2-28/29)."""
    month_index = d.month - 1 + months
    year, month = d.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


class Tier(StrEnum):
    """Who approves a leave (外出) — 实施办法 tiers [S/U]."""

    OFFICE = "office"  # 司法所 (on delegation from the county agency)
    COUNTY = "county"  # 县级社区矫正机构 (the county justice bureau)
    HIGHER = "higher"  # 上一级 (the city bureau)

    @property
    def label_zh(self) -> str:
        return {"office": "司法所审批", "county": "县级社区矫正机构审批", "higher": "上一级社区矫正机构审批"}[
            self.value
        ]


class SanctionKind(StrEnum):
    COMMENDATION = "commendation"  # 表扬
    REPRIMAND = "reprimand"  # 训诫
    WARNING = "warning"  # 警告
    PUBLIC_SECURITY_PROPOSAL = "public_security_proposal"  # 提请治安管理处罚
    REVOCATION_PROPOSAL = "revocation_proposal"  # 提请撤销缓刑/假释、收监执行

    @property
    def severity(self) -> int:
        return {
            "commendation": 0,
            "reprimand": 1,
            "warning": 2,
            "public_security_proposal": 3,
            "revocation_proposal": 4,
        }[self.value]


@dataclass(frozen=True)
class CorrectionRules:
    # Intake — Arts 20–22 [P]: report within 10 (natural) days of the judgment taking effect.
    report_days: int = 10
    report_unit: str = "days"  # "days" (自然日) or "workdays"
    # Leave — Art 27 and the 实施办法 [S/U].
    leave_office_max_days: int = 7  # ≤ this: the justice office may approve
    leave_county_max_days: int = 30  # ≤ this each time: the county bureau
    leave_window_months: int = 2  # "in total within 2 months" ...
    leave_window_max_days: int = 30  # ... more than this → the next level up
    leave_apply_days_ahead: int = 3  # advisory only: shown as a warning, never refused
    frequent_travel_months: int = 6
    # Residence change [S/U]: views within 5 days, file moved within 5 days, report within 7 days.
    residence_views_days: int = 5
    residence_file_days: int = 5
    residence_report_days: int = 7
    # Supervision levels: local 宽管/普管/严管 classes [S]; code → label.
    supervision_levels: tuple[tuple[str, str], ...] = (
        ("lenient", "宽管"),
        ("ordinary", "普管"),
        ("strict", "严管"),
    )
    # Check-in intervals in days per level [S]: kind → {level: days}.
    check_in_intervals: Mapping[str, Mapping[str, int]] = field(
        default_factory=lambda: {
            "report": {"lenient": 30, "ordinary": 14, "strict": 7},
            "visit": {"lenient": 90, "ordinary": 60, "strict": 30},
            "phone": {"lenient": 30, "ordinary": 14, "strict": 7},
        }
    )
    # Sanction thresholds — Art 28, thresholds [S].
    reprimand_max_absconding_days: int = 10  # 训诫: absconding ≤ 10 days
    revocation_min_absconding_months: int = 1  # revocation: absconding > 1 month
    warning_after_reprimands: int = 2  # 警告 after 2 训诫
    revocation_after_warnings: int = 2  # revocation proposal after 2 警告
    # Electronic monitoring — Art 29 [P]: ≤ 3 months a time, each renewal ≤ 3 months.
    monitoring_max_months: int = 3

    @classmethod
    def from_mapping(cls, overrides: Mapping[str, Any] | None) -> CorrectionRules:
        """Defaults with ``overrides`` applied; an unknown key is an error, not silently ignored."""
        if not overrides:
            return cls()
        known = {f.name for f in fields(cls)}
        unknown = set(overrides) - known
        if unknown:
            raise ValueError(f"unknown community-corrections rule(s): {', '.join(sorted(unknown))}")
        values = dict(overrides)
        if "supervision_levels" in values:
            values["supervision_levels"] = tuple(tuple(x) for x in values["supervision_levels"])
        return replace(cls(), **values)

    @property
    def level_codes(self) -> tuple[str, ...]:
        return tuple(code for code, _label in self.supervision_levels)


# --- leave tiers ---------------------------------------------------------------------------------------


def leave_days(start: date, end: date) -> int:
    """Days away, both ends counted (leaving on the 1st and back on the 3rd is 3 days)."""
    return (end - start).days + 1


def leave_tier(days: int, days_in_window: int, rules: CorrectionRules, *, frequent: bool = False) -> Tier:
    """The approval tier of a leave of ``days`` when ``days_in_window`` (this leave included) are
    already spent away within the rolling window (实施办法 [S/U], Art 27).

    A frequent-travel approval (经常性跨市县活动) is a county decision whatever its length.
    """
    if days > rules.leave_county_max_days or days_in_window > rules.leave_window_max_days:
        return Tier.HIGHER
    if frequent or days > rules.leave_office_max_days:
        return Tier.COUNTY
    return Tier.OFFICE


# --- sanction suggestions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SanctionFacts:
    """What the record says about one violation and the history before it."""

    absconding_days: int = 0  # days out of contact (脱管) in this violation; 0 = not an absconding
    previous_reprimands: int = 0
    previous_warnings: int = 0
    public_security_penalty_uncorrected: bool = False  # 受到治安管理处罚，仍不改正


@dataclass(frozen=True)
class Suggestion:
    kind: SanctionKind
    rule: str  # stable id of the rule that fired (shown, logged, cited in tests)
    article: str
    reason_zh: str


ART_28 = "《社区矫正法》第二十八条"


def suggest_sanction(facts: SanctionFacts, rules: CorrectionRules) -> Suggestion:
    """The sanction Art 28 and the [S] thresholds point to. The most severe rule that fires wins.

    * revocation proposal: absconding > 1 month, or 2 previous warnings, or an 治安 penalty with no
      correction;
    * warning: absconding > 10 days, or 2 previous reprimands;
    * reprimand: any other violation (absconding ≤ 10 days included).
    An officer may decide differently; the service then requires a written reason.
    """
    absconding_limit = rules.revocation_min_absconding_months * 30
    if facts.absconding_days > absconding_limit:
        return Suggestion(
            SanctionKind.REVOCATION_PROPOSAL,
            "revocation.absconding_over_month",
            ART_28,
            f"脱离监管超过{rules.revocation_min_absconding_months}个月（{facts.absconding_days}日）",
        )
    if facts.previous_warnings >= rules.revocation_after_warnings:
        return Suggestion(
            SanctionKind.REVOCATION_PROPOSAL,
            "revocation.after_warnings",
            ART_28,
            f"受到{facts.previous_warnings}次警告仍不改正",
        )
    if facts.public_security_penalty_uncorrected:
        return Suggestion(
            SanctionKind.REVOCATION_PROPOSAL,
            "revocation.public_security_uncorrected",
            ART_28,
            "受到治安管理处罚后仍不改正",
        )
    if facts.absconding_days > rules.reprimand_max_absconding_days:
        return Suggestion(
            SanctionKind.WARNING,
            "warning.absconding_over_limit",
            ART_28,
            f"脱离监管超过{rules.reprimand_max_absconding_days}日（{facts.absconding_days}日）",
        )
    if facts.previous_reprimands >= rules.warning_after_reprimands:
        return Suggestion(
            SanctionKind.WARNING,
            "warning.after_reprimands",
            ART_28,
            f"受到{facts.previous_reprimands}次训诫仍不改正",
        )
    if facts.absconding_days > 0:
        return Suggestion(
            SanctionKind.REPRIMAND,
            "reprimand.absconding_short",
            ART_28,
            f"脱离监管{facts.absconding_days}日，未超过{rules.reprimand_max_absconding_days}日",
        )
    return Suggestion(
        SanctionKind.REPRIMAND, "reprimand.minor_violation", ART_28, "违反监督管理规定，情节较轻"
    )


# --- electronic monitoring ------------------------------------------------------------------------------


def monitoring_period_end_limit(start: date, rules: CorrectionRules) -> date:
    """The last day an order starting on ``start`` may run: ``monitoring_max_months`` later, minus a
    day (an order from 1 March may run to 31 May, not to 1 June) — Art 29."""
    return date.fromordinal(add_months(start, rules.monitoring_max_months).toordinal() - 1)

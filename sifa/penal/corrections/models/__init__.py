from .activities import CheckIn, CheckInKind, CheckInStatus, Search, SearchStatus
from .base import VIEW_JUVENILE, CorrectionsQuerySet, may_view_juvenile
from .leave import ApprovalStatus, LeaveApplication, LeaveKind, LeaveTier, ResidenceChange
from .monitoring import MonitoringGround, MonitoringOrder
from .revocation import ArrestDecision, RevocationCase, RevocationRuling, RevocationState
from .sanctions import Sanction, SanctionKindChoices, SanctionStatus, Violation, ViolationKind
from .supervisee import (
    CorrectionPlan,
    CorrectionType,
    DecidingOrganKind,
    Supervisee,
    SuperviseeEvent,
    SuperviseeStatus,
    TeamMember,
    TeamRole,
    TerminationReason,
)

__all__ = [
    "VIEW_JUVENILE",
    "ApprovalStatus",
    "ArrestDecision",
    "CheckIn",
    "CheckInKind",
    "CheckInStatus",
    "CorrectionPlan",
    "CorrectionType",
    "CorrectionsQuerySet",
    "DecidingOrganKind",
    "LeaveApplication",
    "LeaveKind",
    "LeaveTier",
    "MonitoringGround",
    "MonitoringOrder",
    "ResidenceChange",
    "RevocationCase",
    "RevocationRuling",
    "RevocationState",
    "Sanction",
    "SanctionKindChoices",
    "SanctionStatus",
    "Search",
    "SearchStatus",
    "Supervisee",
    "SuperviseeEvent",
    "SuperviseeStatus",
    "TeamMember",
    "TeamRole",
    "TerminationReason",
    "Violation",
    "ViolationKind",
    "may_view_juvenile",
]

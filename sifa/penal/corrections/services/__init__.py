"""Every write of community corrections: keyword-only, typed, ``acting_user``, atomic, audited."""

from .intake import (
    attach_file,
    flag_unreported,
    mark_missing,
    receive_notice,
    record_found,
    record_report,
    register_supervisee,
    release_supervisee,
    report_deadline,
    start_report_clock,
    terminate_supervisee,
    transition_supervisee,
)
from .leave import (
    active_leave,
    apply_leave,
    apply_residence_change,
    complete_residence_change,
    days_in_window,
    decide_leave,
    decide_residence_change,
)
from .monitoring import decide_monitoring, lift_monitoring, propose_monitoring
from .sanctions import decide_sanction, facts_for, propose_sanction, record_violation, suggestion_for
from .supervision import (
    change_supervision_level,
    complete_check_in,
    save_correction_plan,
    set_correction_team,
)

__all__ = [
    "active_leave",
    "apply_leave",
    "apply_residence_change",
    "attach_file",
    "change_supervision_level",
    "complete_check_in",
    "complete_residence_change",
    "days_in_window",
    "decide_leave",
    "decide_monitoring",
    "decide_residence_change",
    "decide_sanction",
    "facts_for",
    "flag_unreported",
    "lift_monitoring",
    "mark_missing",
    "propose_monitoring",
    "propose_sanction",
    "receive_notice",
    "record_found",
    "record_report",
    "record_violation",
    "register_supervisee",
    "release_supervisee",
    "report_deadline",
    "save_correction_plan",
    "set_correction_team",
    "start_report_clock",
    "suggestion_for",
    "terminate_supervisee",
    "transition_supervisee",
]

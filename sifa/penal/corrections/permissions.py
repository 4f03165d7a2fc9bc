"""Role grants for community corrections (collected by accounts.roles at start-up).

Verbs beyond CRUD: ``report_supervisee`` (报到/登记/宣告/查找), ``release_supervisee`` (解除/终止),
``approve_leaveapplication``, ``approve_residencechange``, ``approve_monitoringorder``,
``decide_sanction``, ``handle_revocationcase`` (Arts 46–49: send the revocation proposal, record the
court's receipt, arrest and ruling, the hand-over — the county agency's work, so county bureau heads
and staff, who also hold ``release_supervisee`` for the Art 45 termination a revoking ruling brings),
and ``view_juvenile`` (Arts 52–58: juvenile records are confidential — held by
heads and corrections officers, not by general bureau/office staff). Holding a verb is necessary,
not sufficient: the services also check that the approver's org is the one the tier names (leave)
or that the approver is the county bureau's head (monitoring, Art 29).
"""

_DAY_TO_DAY = [
    "corrections.view_*",
    "corrections.add_supervisee",
    "corrections.change_supervisee",
    "corrections.report_supervisee",
    "corrections.add_leaveapplication",
    "corrections.add_residencechange",
    "corrections.add_violation",
    "corrections.add_sanction",
    "corrections.add_monitoringorder",
    "corrections.change_checkin",
    "corrections.change_monitoringorder",
]
# view_* would include view_juvenile; general staff get the plain views only.
_STAFF_VIEWS = [
    "corrections.view_supervisee",
    "corrections.view_superviseeevent",
    "corrections.view_teammember",
    "corrections.view_correctionplan",
    "corrections.view_checkin",
    "corrections.view_search",
    "corrections.view_leaveapplication",
    "corrections.view_residencechange",
    "corrections.view_violation",
    "corrections.view_sanction",
    "corrections.view_monitoringorder",
    "corrections.view_revocationcase",
]
_STAFF = [*_STAFF_VIEWS, *_DAY_TO_DAY[1:]]
_REVOCATION = ["corrections.add_revocationcase", "corrections.handle_revocationcase"]

ROLE_GRANTS = {
    "bureau_head": [
        *_DAY_TO_DAY,  # incl. view_juvenile
        "corrections.release_supervisee",
        "corrections.approve_leaveapplication",
        "corrections.approve_residencechange",
        "corrections.approve_monitoringorder",
        "corrections.decide_sanction",
        *_REVOCATION,
    ],
    "bureau_staff": [*_STAFF, "corrections.release_supervisee", *_REVOCATION],
    # The office approves short leaves on the county agency's delegation (实施办法 [S/U]).
    "office_staff": [*_STAFF, "corrections.approve_leaveapplication"],
    "officer": [*_DAY_TO_DAY],  # corrections officers handle juvenile cases too
}

"""The demo promised in the issue: donghu_head can approve a leave; one supervisee under monitoring."""

from __future__ import annotations

import pytest
from django.utils import timezone

from sifa.penal.corrections import selectors, services
from sifa.penal.corrections.models import LeaveApplication, Supervisee
from sifa.platform.accounts.models import User
from sifa.platform.workflow.models import StatutoryClock
from sifa.platform.workflow.services.common import ref_of


@pytest.mark.slow
@pytest.mark.django_db
def test_small_demo_has_an_approvable_leave_and_a_monitored_supervisee_in_donghu() -> None:
    from sifa.platform.demo import load_demo

    load_demo("small")
    assert Supervisee.objects.count() >= 50
    head = User.objects.get(username="donghu_head")
    pending = selectors.pending_leaves_for(head).filter(tier="county")
    first = pending.first()
    assert first is not None
    leave = services.decide_leave(acting_user=head, leave=first, approve=True)
    assert LeaveApplication.objects.get(pk=leave.pk).status == "approved"
    monitored = [
        s
        for s in Supervisee.objects.filter(residence_division_id="360102")
        if selectors.active_monitoring_order(s, timezone.now()) is not None
    ]
    assert len(monitored) == 1


@pytest.mark.slow
@pytest.mark.django_db
def test_small_demo_has_an_open_revocation_case_with_running_clocks_in_donghu() -> None:
    """Arts 46–48: sent with the procuratorate copy, received (30-day ruling clock), arrest requested
    (48-hour clock) — all running, in donghu_head's jurisdiction."""
    from sifa.platform.demo import load_demo

    load_demo("small")
    head = User.objects.get(username="donghu_head")
    (case,) = selectors.open_revocation_cases(head)
    assert case.state == "received" and case.supervisee.residence_division_id == "360102"
    assert case.procuratorate_copy_on == case.sent_on and case.proposal_document_id
    open_clocks = StatutoryClock.objects.filter(**ref_of(case), stopped_on__isnull=True)
    clocks = dict(open_clocks.values_list("name", "state"))
    assert clocks == {"ruling": "running", "arrest_decision": "running"}

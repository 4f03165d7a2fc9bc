"""The demo promised in the issue: donghu_head can approve a leave; one supervisee under monitoring."""

from __future__ import annotations

import pytest
from django.utils import timezone

from sifa.penal.corrections import selectors, services
from sifa.penal.corrections.models import LeaveApplication, Supervisee
from sifa.platform.accounts.models import User


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

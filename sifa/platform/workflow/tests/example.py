"""A reconsideration-like procedure used by the tests (the real one belongs to enforcement).

行政复议法: acceptance review within 5 working days (Art 30, Art 88), one consolidated 补正 notice
that stops the acceptance review until the materials arrive (Art 31), decision within 60 days of
acceptance (Art 62) with one extension of at most 30 days approved by the 机构负责人 (Art 62).

The model lives in a test-only app label ("workflowtests", not installed), so it never reaches
migrations; its table is created by the session fixture in conftest.py.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from sifa.platform.accounts.roles import Role
from sifa.platform.orgs.models import Org
from sifa.platform.orgs.scoping import ScopedQuerySet
from sifa.platform.workflow.machine import ClockEffect, ClockSpec, TaskSpec, Transition, Workflow
from sifa.platform.workflow.models import WorkflowModel

HANDLE = "workflowtests.handle_case"
DECIDE = "workflowtests.decide_case"
EXTEND = "workflowtests.extend_decision"


def materials_complete(case: Any, user: Any) -> str | None:
    return None if case.materials_complete else "申请材料不齐全，应先通知补正（行政复议法 第三十一条）"


RECONSIDERATION = Workflow(
    name="reconsideration_example",
    states={
        "received": "已收件",
        "correcting": "补正中",
        "accepted": "已受理",
        "refused": "不予受理",
        "decided": "已决定",
    },
    clocks=[
        ClockSpec(
            "acceptance", "受理审查期限", "行政复议法 第三十条", "workdays", 5, on_expiry="deem_accepted"
        ),
        ClockSpec(
            "decision",
            "复议决定期限",
            "行政复议法 第六十二条",
            "days",
            60,
            max_extensions=1,
            max_extension_length=30,
            extension_permission=EXTEND,
        ),
    ],
    start_clocks=["acceptance"],
    transitions=[
        Transition(
            "request_correction",
            "received",
            "correcting",
            permission=HANDLE,
            article="行政复议法 第三十一条",
            clock_effect=ClockEffect.pause("acceptance"),
            label="通知补正",
        ),
        Transition(
            "receive_correction",
            "correcting",
            "received",
            permission=HANDLE,
            article="行政复议法 第三十一条",
            clock_effect=ClockEffect.resume("acceptance"),
            label="收到补正材料",
        ),
        Transition(
            "accept",
            "received",
            "accepted",
            permission=HANDLE,
            guard=materials_complete,
            article="行政复议法 第三十条",
            clock_effect=[ClockEffect.stop("acceptance"), ClockEffect.start("decision")],
            label="受理",
        ),
        Transition(
            "deem_accepted",
            "received",
            "accepted",
            permission=HANDLE,
            article="行政复议法 第三十条第三款",
            clock_effect=[ClockEffect.stop("acceptance"), ClockEffect.start("decision")],
            label="视为受理",
        ),
        Transition(
            "refuse",
            {"received", "correcting"},
            "refused",
            permission=HANDLE,
            article="行政复议法 第三十条",
            clock_effect=ClockEffect.stop("acceptance"),
            label="不予受理",
        ),
        Transition(
            "extend",
            "accepted",
            "accepted",
            permission=EXTEND,
            article="行政复议法 第六十二条",
            clock_effect=ClockEffect.extend("decision"),
            label="延长审理期限",
        ),
        Transition(
            "decide",
            "accepted",
            "decided",
            permission=DECIDE,
            article="行政复议法 第六十八条",
            clock_effect=ClockEffect.stop("decision"),
            label="作出复议决定",
        ),
    ],
    tasks={
        "received": TaskSpec("审查是否受理", role=Role.BUREAU_STAFF, clock="acceptance"),
        "correcting": TaskSpec("等待补正材料", role=Role.BUREAU_STAFF),
        "accepted": TaskSpec(
            "作出复议决定", role=Role.BUREAU_STAFF, assignee_field="handler", clock="decision"
        ),
    },
    final=["refused", "decided"],
)

# What each role may do in the example (added to the platform grants by a fixture).
EXAMPLE_GRANTS = {
    Role.BUREAU_STAFF: ["workflowtests.view_case", HANDLE],
    Role.BUREAU_HEAD: ["workflowtests.view_case", HANDLE, DECIDE, EXTEND],
    Role.OFFICE_STAFF: ["workflowtests.view_case"],
}


class Case(WorkflowModel):
    workflow = RECONSIDERATION

    # No database constraints: this table lives outside every migration, so Django's flush after a
    # transactional test (which truncates only the tables it knows) must not be blocked by it.
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+", db_constraint=False)
    title = models.CharField(max_length=100)
    materials_complete = models.BooleanField(default=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )

    objects = ScopedQuerySet.as_manager()
    scope_org_field = "org"

    class Meta:
        app_label = "workflowtests"
        db_table = "workflowtests_case"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"/example/cases/{self.pk}/"

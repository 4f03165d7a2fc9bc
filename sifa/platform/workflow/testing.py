"""Scoping-matrix cases for the workflow endpoints (tasks, clocks)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.contenttypes.models import ContentType

from sifa.platform.accounts.roles import Role
from sifa.platform.testing.matrix import MatrixCase

from .models import StatutoryClock, Task


def make_task(org: Any, owner: Any) -> Task:
    return Task.objects.create(
        org=org, title="审查是否受理", assignee_role=Role.OFFICE_STAFF, due_date=date(2025, 10, 11)
    )


def make_clock(org: Any, owner: Any) -> StatutoryClock:
    # The org itself stands in for the procedure's object: the matrix is about scoping, not law.
    return StatutoryClock.objects.create(
        content_type=ContentType.objects.get_for_model(org),
        object_id=str(org.pk),
        org=org,
        name="acceptance",
        label="受理审查期限",
        article="行政复议法 第三十条",
        unit="workdays",
        length=5,
        start_date=date(2025, 9, 28),
        due_date=date(2025, 10, 11),
        checked_on=date(2025, 9, 28),
    )


MATRIX = {
    "workflow.Task": MatrixCase(make=make_task),
    "workflow.StatutoryClock": MatrixCase(make=make_clock),
}

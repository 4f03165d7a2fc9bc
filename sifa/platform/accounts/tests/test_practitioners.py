"""Lawyers and other practitioners see only what is assigned to them (issue 3, item 3)."""

from __future__ import annotations

from rest_framework.test import APIClient

from sifa.platform.accounts.roles import Role
from sifa.platform.orgs.models import OrgKind
from sifa.platform.orgs.services import bulk_create_orgs
from sifa.platform.testing.tree import make_user
from sifa.platform.workflow.models import Task
from sifa.platform.workflow.services import open_task


def test_a_lawyer_sees_only_tasks_assigned_to_them_not_the_firms_or_the_countys(tree, users) -> None:
    (firm,) = bulk_create_orgs(
        [
            {
                "name": "江西正明律师事务所",
                "kind": OrgKind.LAW_FIRM,
                "division": tree.donghu.division,
                "parent": tree.donghu,
            }
        ]
    )
    lawyer = make_user("lawyer_a", Role.LAWYER, firm)
    colleague = make_user("lawyer_b", Role.LAWYER, firm)
    staff = users["donghu_staff"]
    mine = open_task(acting_user=staff, title="法律援助案件：王某劳动争议", org=firm, assignee_user=lawyer)
    theirs = open_task(acting_user=staff, title="法律援助案件：李某离婚", org=firm, assignee_user=colleague)
    office = open_task(
        acting_user=staff, title="司法所待办", org=tree.donghu_office, assignee_role=Role.OFFICE_STAFF
    )

    assert set(Task.objects.restrict(lawyer, "view")) == {mine}
    api = APIClient()
    api.force_login(lawyer)
    rows = api.get("/api/tasks/").json()
    ids = {row["id"] for row in (rows["results"] if isinstance(rows, dict) else rows)}
    assert ids == {mine.pk}
    for other in (theirs, office):
        assert api.get(f"/api/tasks/{other.pk}/").status_code == 404
    assert set(Task.objects.restrict(staff, "view")) >= {mine, theirs, office}  # the county sees all three

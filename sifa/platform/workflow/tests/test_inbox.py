"""The inbox (待办): who sees which task, marking done, the pages and the API."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from sifa.platform.accounts.roles import Role
from sifa.platform.testing.tree import make_user
from sifa.platform.workflow.models import Task, TaskStatus
from sifa.platform.workflow.selectors import inbox_tasks
from sifa.platform.workflow.services import open_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def tasks(tree: Any, users: dict[str, Any]) -> dict[str, Task]:
    actor = users["province_admin"]
    return {
        "role": open_task(
            acting_user=actor,
            title="审查是否受理",
            org=tree.donghu,
            assignee_role=Role.BUREAU_STAFF,
            due_date=date(2025, 10, 11),
        ),
        "user": open_task(
            acting_user=actor,
            title="作出复议决定",
            org=tree.donghu,
            assignee_user=users["donghu_head"],
            due_date=date(2025, 10, 9),
        ),
        "other_county": open_task(
            acting_user=actor, title="浔阳区待办", org=tree.xunyang, assignee_role=Role.BUREAU_STAFF
        ),
    }


def test_role_tasks_reach_that_role_in_that_org_and_user_tasks_only_their_user(
    tasks: dict[str, Task], users: dict[str, Any], tree: Any
) -> None:
    second_staff = make_user("dh_staff2", Role.BUREAU_STAFF, tree.donghu)
    assert list(inbox_tasks(users["donghu_staff"])) == [tasks["role"]]
    assert list(inbox_tasks(second_staff)) == [tasks["role"]]
    assert list(inbox_tasks(users["donghu_head"])) == [tasks["user"]]  # not the staff's role task
    # the city bureau's staff supervise 东湖区 but do not act for it
    assert list(inbox_tasks(users["nanchang_staff"])) == []
    assert list(inbox_tasks(users["xunyang_staff"])) == [tasks["other_county"]]
    assert list(inbox_tasks(users["citizen_a"])) == []


def test_inbox_page_sorted_by_due_date_with_badges(
    tasks: dict[str, Task], users: dict[str, Any], client: Any
) -> None:
    Task.objects.filter(pk=tasks["user"].pk).update(warning="overdue")
    extra = open_task(
        acting_user=users["donghu_head"],
        title="早到期事项",
        org=tasks["user"].org,
        assignee_user=users["donghu_head"],
        due_date=date(2025, 10, 1),
    )
    client.force_login(users["donghu_head"])
    response = client.get(reverse("workflow:inbox"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index(extra.title) < html.index("作出复议决定")
    assert 'data-testid="badge-overdue"' in html
    assert "审查是否受理" not in html


def test_mark_done_only_from_ones_own_inbox(
    tasks: dict[str, Task], users: dict[str, Any], client: Any
) -> None:
    task = tasks["user"]
    client.force_login(users["donghu_staff"])  # same org, not the assignee
    assert client.post(reverse("workflow:task-done", args=[task.pk])).status_code == 404
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN

    client.force_login(users["donghu_head"])
    assert client.post(reverse("workflow:task-done", args=[task.pk])).status_code == 302
    task.refresh_from_db()
    assert (task.status, task.closed_by) == (TaskStatus.DONE, users["donghu_head"])


def test_api_mine_and_done(tasks: dict[str, Task], users: dict[str, Any]) -> None:
    api = APIClient()
    assert api.get("/api/tasks/mine/").status_code in (401, 403)
    api.force_authenticate(users["donghu_staff"])
    mine = api.get("/api/tasks/mine/").json()
    assert [row["id"] for row in mine["results"]] == [tasks["role"].pk]
    assert api.post(f"/api/tasks/{tasks['user'].pk}/done/").status_code == 404  # not theirs
    assert api.post(f"/api/tasks/{tasks['other_county'].pk}/done/").status_code == 404  # not in scope
    done = api.post(f"/api/tasks/{tasks['role'].pk}/done/")
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert api.get("/api/tasks/mine/").json()["results"] == []
    assert Task.objects.get(pk=tasks["other_county"].pk).status == TaskStatus.OPEN


def test_dashboard_cards(tasks: dict[str, Task], users: dict[str, Any]) -> None:
    from sifa.platform.workflow.dashboard import cards

    Task.objects.filter(pk=tasks["user"].pk).update(warning="overdue")
    staff_cards = {c.label: c.value for c in cards(users["nanchang_staff"])}
    assert staff_cards == {"我的待办": 0, "辖区超期待办": 1}
    assert cards(users["citizen_a"]) == []

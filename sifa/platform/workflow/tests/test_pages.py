"""The workflow panel any domain detail page can include, and its transition endpoint."""

from __future__ import annotations

from typing import Any

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from sifa.platform.accounts.roles import Role
from sifa.platform.orgs.models import Org
from sifa.platform.testing.tree import make_user
from sifa.platform.workflow.models import StatutoryClock, TransitionLog
from sifa.platform.workflow.services import start_workflow

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(make_case: Any, users: dict[str, Any]) -> Any:
    case = make_case()
    start_workflow(case, acting_user=users["donghu_staff"])
    return case


def _url(obj: Any, name: str) -> str:
    return reverse("workflow:transition", args=[obj._meta.label_lower, obj.pk, name])


def test_transition_endpoint_404_outside_jurisdiction_403_without_permission_nothing_changed(
    case: Any, users: dict[str, Any], tree: Any, client: Any
) -> None:
    url = _url(case, "accept")
    assert client.post(url).status_code == 302  # anonymous → login
    client.force_login(users["xunyang_staff"])
    assert client.post(url, {"note": "越权"}).status_code == 404
    client.force_login(make_user("dh_clerk", Role.OFFICE_STAFF, tree.donghu))
    assert client.post(url).status_code == 403
    client.force_login(users["donghu_staff"])
    assert client.post(_url(case, "no_such_transition")).status_code == 404
    assert client.post(_url(tree.donghu, "accept")).status_code == 404  # not a workflow model
    case.refresh_from_db()
    assert case.state == "received"
    assert TransitionLog.objects.filter(object_id=str(case.pk)).count() == 1  # only "start"

    response = client.post(url, {"note": "材料齐全", "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/"  # no open redirect
    case.refresh_from_db()
    assert case.state == "accepted"
    assert TransitionLog.objects.get(object_id=str(case.pk), transition="accept").note == "材料齐全"
    assert StatutoryClock.objects.filter(object_id=str(case.pk), name="decision").exists()


def test_panel_shows_state_clocks_history_and_allowed_actions(case: Any, users: dict[str, Any]) -> None:
    request = RequestFactory().get("/example/")
    request.user = users["donghu_staff"]
    html = Template("{% load workflow_tags %}{% workflow_panel obj %}").render(
        Context({"request": request, "obj": case, "csrf_token": "t"})
    )
    assert "已收件" in html and "受理审查期限" in html and "行政复议法 第三十条" in html
    assert "受理" in html and "通知补正" in html
    assert "作出复议决定" not in html  # staff may not decide
    outsider = RequestFactory().get("/example/")
    outsider.user = users["xunyang_staff"]
    html = Template("{% load workflow_tags %}{% workflow_panel obj %}").render(
        Context({"request": outsider, "obj": case})
    )
    assert "受理审查期限" not in html  # clocks and history are scoped too
    assert Org.objects.count() > 0

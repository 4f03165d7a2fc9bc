"""Roles decide verbs; scoping decides rows. Citizens see only their own records."""

from __future__ import annotations

from rest_framework.test import APIClient

from sifa.platform.accounts.models import User


def test_roles_grant_verbs_per_action(users) -> None:
    head, office, citizen = users["donghu_head"], users["donghu_office_staff"], users["citizen_a"]
    assert head.has_perm("people.reveal_person") and not office.has_perm("people.reveal_person")
    assert head.has_perm("audit.view_changelog") and not office.has_perm("audit.view_changelog")
    assert not citizen.has_perm("orgs.view_org")
    assert users["province_admin"].has_perm("anything.decide_whatever")


def test_citizen_sees_only_their_own_account(users) -> None:
    citizen = users["citizen_a"]
    citizen_role_can_view_users = citizen.has_perm("accounts.view_user")
    visible = set(User.objects.all().restrict(citizen, "view"))
    assert visible == ({citizen} if citizen_role_can_view_users else set())
    assert users["citizen_b"] not in visible


def test_province_sees_all_counties_and_county_sees_only_itself(users, tree) -> None:
    from sifa.platform.orgs.models import Org

    province = set(Org.objects.restrict(users["province_admin"], "view"))
    county = set(Org.objects.restrict(users["donghu_staff"], "view"))
    assert {tree.donghu, tree.xunyang, tree.donghu_office} <= province
    assert county == {tree.donghu, tree.donghu_office}


def test_api_token_auth_is_scoped_like_the_session(users, tree) -> None:
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=users["xunyang_staff"])
    api = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")
    names = {row["name"] for row in api.get("/api/orgs/").json()["results"]}
    assert names == {"浔阳区司法局", "浔阳区白水湖司法所"}
    assert api.get(f"/api/orgs/{tree.donghu.pk}/").status_code == 404

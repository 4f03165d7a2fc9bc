"""Moving an org subtree to a new parent (区划调整): records follow, scopes follow, all or nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from sifa.platform.accounts.models import User
from sifa.platform.accounts.roles import Role
from sifa.platform.audit.models import ChangeLog
from sifa.platform.orgs.models import Division, Org, OrgKind
from sifa.platform.orgs.services import bulk_create_orgs, move_org
from sifa.platform.testing.tree import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def township(tree):
    """A township of 东湖区 with its justice office, a mediation committee under it, and a clerk."""
    division = Division.objects.create(code="360102001", name="某街道", level="township", parent_id="360102")
    (office,) = bulk_create_orgs(
        [
            {
                "name": "某街道司法所",
                "kind": OrgKind.JUSTICE_OFFICE,
                "division": division,
                "parent": tree.donghu,
            }
        ]
    )
    (committee,) = bulk_create_orgs(
        [
            {
                "name": "某社区人民调解委员会",
                "kind": OrgKind.MEDIATION_COMMITTEE,
                "division": division,
                "parent": office,
            }
        ]
    )
    clerk = make_user("township_clerk", Role.OFFICE_STAFF, office)
    return division, office, committee, clerk


def _rezone_to_xihu(division: Division) -> None:
    """What `sifa loaddivisions` does when the State Council moves the township to 西湖区."""
    division.parent_id = "360103"
    division.save(update_fields=["parent"])


def test_moved_subtree_is_seen_by_the_new_county_and_no_longer_by_the_old(tree, users, township) -> None:
    division, office, committee, clerk = township
    xihu_head = make_user("xh_head", Role.BUREAU_HEAD, tree.xihu)
    donghu_head = users["donghu_head"]
    assert Org.objects.restrict(donghu_head).filter(pk=committee.pk).exists()
    assert not Org.objects.restrict(xihu_head).filter(pk=committee.pk).exists()
    _rezone_to_xihu(division)

    moved = move_org(acting_user=users["nanchang_staff"], org=office, new_parent=tree.xihu, reason="区划调整")

    assert moved.parent_id == tree.xihu.pk
    committee.refresh_from_db()
    assert committee.path == f"{tree.xihu.path}{office.pk}/{committee.pk}/"
    assert committee.depth == moved.depth + 1 == tree.xihu.depth + 2
    # Everything owned by the subtree follows at once: its orgs and the people working there.
    assert set(Org.objects.restrict(xihu_head).filter(pk__in=[office.pk, committee.pk])) == {moved, committee}
    assert not Org.objects.restrict(donghu_head).filter(pk__in=[office.pk, committee.pk]).exists()
    assert User.objects.restrict(xihu_head).filter(pk=clerk.pk).exists()
    assert not User.objects.restrict(donghu_head).filter(pk=clerk.pk).exists()
    # The clerk's own scope is the moved office, still: their org's path changed, not their rights.
    clerk.refresh_from_db()
    assert Org.objects.restrict(clerk).filter(pk=committee.pk).exists()
    log = ChangeLog.objects.filter(object_type="orgs.Org", object_id=str(office.pk)).latest("id")
    assert log.before is not None and log.after is not None
    assert log.before["parent_id"] == tree.donghu.pk and log.after["parent_id"] == tree.xihu.pk
    assert "区划调整" in log.note and "2" in log.note  # two orgs moved


def test_move_is_refused_while_the_division_still_lies_elsewhere(tree, users, township) -> None:
    _division, office, committee, _clerk = township
    before = committee.path
    with pytest.raises(ValidationError) as err:
        move_org(acting_user=None, org=office, new_parent=tree.xihu, reason="区划调整")
    assert "new_parent" in err.value.message_dict
    assert "区划" in err.value.message_dict["new_parent"][0]
    committee.refresh_from_db()
    assert committee.path == before


@pytest.mark.parametrize(
    ("org_attr", "parent_attr", "field"),
    [
        ("donghu", "donghu_office", "new_parent"),  # into its own subtree
        ("donghu", "donghu", "new_parent"),  # under itself
        ("province", "nanchang", "org"),  # the root
    ],
)
def test_cycles_and_the_root_are_refused(tree, org_attr, parent_attr, field) -> None:
    paths = dict(Org.objects.values_list("pk", "path"))
    with pytest.raises(ValidationError) as err:
        move_org(
            acting_user=None, org=getattr(tree, org_attr), new_parent=getattr(tree, parent_attr), reason="x"
        )
    assert field in err.value.message_dict
    assert dict(Org.objects.values_list("pk", "path")) == paths


def test_a_service_provider_cannot_become_a_parent_and_a_reason_is_required(tree, township) -> None:
    _division, office, committee, _clerk = township
    other = Division.objects.create(code="360102002", name="另一街道", level="township", parent_id="360102")
    (lone_office,) = bulk_create_orgs(
        [{"name": "另一街道司法所", "kind": OrgKind.JUSTICE_OFFICE, "division": other, "parent": tree.donghu}]
    )
    with pytest.raises(ValidationError) as err:
        move_org(acting_user=None, org=lone_office, new_parent=committee, reason="x")
    assert "new_parent" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        move_org(acting_user=None, org=office, new_parent=tree.donghu, reason="  ")
    assert "reason" in err.value.message_dict


def test_a_county_cannot_move_its_office_into_a_county_it_does_not_administer(tree, users, township) -> None:
    division, office, committee, _clerk = township
    _rezone_to_xihu(division)
    before = committee.path
    with pytest.raises((PermissionDenied, Http404)):
        move_org(acting_user=users["donghu_head"], org=office, new_parent=tree.xihu, reason="区划调整")
    committee.refresh_from_db()
    assert committee.path == before

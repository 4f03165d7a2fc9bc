"""A small real-looking org tree for tests: Jiangxi → 南昌/九江 → 东湖区/西湖区/浔阳区 → offices."""

from __future__ import annotations

from dataclasses import dataclass

from sifa.platform.accounts.models import User
from sifa.platform.accounts.roles import Role
from sifa.platform.orgs.models import Division, Org, OrgKind
from sifa.platform.orgs.services import bulk_create_orgs

PASSWORD = "Test-pass-2026!"  # noqa: S105 - test fixture


@dataclass
class Tree:
    province: Org
    nanchang: Org
    jiujiang: Org
    donghu: Org  # county bureau, 南昌市东湖区
    xihu: Org  # county bureau, 南昌市西湖区 (sibling of donghu)
    xunyang: Org  # county bureau, 九江市浔阳区 (another city)
    donghu_office: Org
    xunyang_office: Org


def build_tree() -> Tree:
    divisions = [
        Division(code="360000", name="江西省", level="province"),
        Division(code="360100", name="南昌市", level="city", parent_id="360000"),
        Division(code="360400", name="九江市", level="city", parent_id="360000"),
        Division(code="360102", name="东湖区", level="county", parent_id="360100"),
        Division(code="360103", name="西湖区", level="county", parent_id="360100"),
        Division(code="360402", name="浔阳区", level="county", parent_id="360400"),
    ]
    Division.objects.bulk_create(divisions, ignore_conflicts=True)
    d = {x.code: x for x in Division.objects.all()}
    (province,) = bulk_create_orgs(
        [{"name": "江西省司法厅", "kind": OrgKind.JUSTICE_DEPARTMENT, "division": d["360000"]}]
    )
    nanchang, jiujiang = bulk_create_orgs(
        [
            {
                "name": "南昌市司法局",
                "kind": OrgKind.JUSTICE_BUREAU,
                "division": d["360100"],
                "parent": province,
            },
            {
                "name": "九江市司法局",
                "kind": OrgKind.JUSTICE_BUREAU,
                "division": d["360400"],
                "parent": province,
            },
        ]
    )
    donghu, xihu, xunyang = bulk_create_orgs(
        [
            {
                "name": "东湖区司法局",
                "kind": OrgKind.JUSTICE_BUREAU,
                "division": d["360102"],
                "parent": nanchang,
            },
            {
                "name": "西湖区司法局",
                "kind": OrgKind.JUSTICE_BUREAU,
                "division": d["360103"],
                "parent": nanchang,
            },
            {
                "name": "浔阳区司法局",
                "kind": OrgKind.JUSTICE_BUREAU,
                "division": d["360402"],
                "parent": jiujiang,
            },
        ]
    )
    donghu_office, xunyang_office = bulk_create_orgs(
        [
            {
                "name": "东湖区豫章司法所",
                "kind": OrgKind.JUSTICE_OFFICE,
                "division": d["360102"],
                "parent": donghu,
            },
            {
                "name": "浔阳区白水湖司法所",
                "kind": OrgKind.JUSTICE_OFFICE,
                "division": d["360402"],
                "parent": xunyang,
            },
        ]
    )
    return Tree(province, nanchang, jiujiang, donghu, xihu, xunyang, donghu_office, xunyang_office)


def make_user(username: str, role: str, org: Org | None, **extra: object) -> User:
    return User.objects.create_user(
        username=username, password=PASSWORD, role=role, org=org, display_name=username, **extra
    )


def default_users(tree: Tree) -> dict[str, User]:
    return {
        "province_admin": make_user("p_admin", Role.PROVINCE_ADMIN, tree.province),
        "nanchang_staff": make_user("nc_staff", Role.BUREAU_STAFF, tree.nanchang),
        "donghu_staff": make_user("dh_staff", Role.BUREAU_STAFF, tree.donghu),
        "donghu_head": make_user("dh_head", Role.BUREAU_HEAD, tree.donghu),
        "xunyang_staff": make_user("xy_staff", Role.BUREAU_STAFF, tree.xunyang),
        "xunyang_head": make_user("xy_head", Role.BUREAU_HEAD, tree.xunyang),
        "donghu_office_staff": make_user("dh_office", Role.OFFICE_STAFF, tree.donghu_office),
        "citizen_a": make_user("citizen_a", Role.CITIZEN, None),
        "citizen_b": make_user("citizen_b", Role.CITIZEN, None),
    }

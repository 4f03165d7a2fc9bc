"""Deterministic demo data: Jiangxi (360000) with its real division tree and synthetic orgs and users.

Faker zh_CN with a fixed seed, so every run gives the same names. Sizes:
  small     — every bureau, 1 justice office per county, a handful of users (tests)
  medium    — 3 justice offices per county plus service providers (the demo default)
  province  — 15 offices per county, providers everywhere (benchmarks)
Apps add their own demo records through ``<app>/demo.py`` with ``def load(context: DemoContext)``.
"""

from __future__ import annotations

import importlib
import random
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import transaction

from sifa.platform.accounts.models import User
from sifa.platform.accounts.roles import Role
from sifa.platform.orgs.divisions import packaged_divisions
from sifa.platform.orgs.models import Division, Org, OrgKind
from sifa.platform.orgs.services import import_divisions

PROVINCE = "360000"
SEED = 2026
DEMO_PASSWORD = "Sifa-demo-2026!"  # noqa: S105 - printed on purpose: it is the demo's published login
OFFICES_PER_COUNTY = {"small": 1, "medium": 3, "province": 15}
TOWN_SUFFIXES = ("镇", "乡", "街道")

# Fixed, documented demo logins: (username, who). Others are generated.
NAMED_LOGINS = [
    ("admin", "省司法厅 省级管理员 / province admin"),
    ("nanchang", "南昌市司法局 工作人员 / city bureau staff"),
    ("donghu", "南昌市东湖区司法局 工作人员 / county bureau staff"),
    ("donghu_head", "东湖区司法局 负责人 / county bureau head"),
    ("donghu_office", "东湖区第一个司法所 工作人员 / justice office staff"),
    ("xunyang", "九江市浔阳区司法局 工作人员 / another county"),
    ("lawyer1", "东湖区律师事务所 律师 / lawyer"),
    ("citizen1", "公众 / citizen"),
]


def demo_logins() -> list[tuple[str, str]]:
    return list(NAMED_LOGINS)


@dataclass
class DemoContext:
    size: str
    rng: random.Random
    faker: Any
    province: Org
    bureaus: dict[str, Org] = field(default_factory=dict)  # division code → bureau
    offices: list[Org] = field(default_factory=list)
    users: dict[str, User] = field(default_factory=dict)
    password_hash: str = ""


def _faker() -> Any:
    from faker import Faker

    fake = Faker("zh_CN")
    fake.seed_instance(SEED)
    return fake


def _bulk_orgs(specs: list[Org]) -> list[Org]:
    """Insert orgs of one depth, then set their materialised paths (parents already have theirs)."""
    created = Org.objects.bulk_create(specs)
    for org in created:
        parent_path = org.parent.path if org.parent else "/"
        org.path = f"{parent_path}{org.pk}/"
        org.depth = org.path.count("/") - 2
    Org.objects.bulk_update(created, ["path", "depth"])
    return created


def load_demo(size: str = "medium") -> str:
    if Org.objects.exists():
        return "demo data already present (use --reset to start over)"
    rng = random.Random(SEED)
    fake = _faker()
    with transaction.atomic():
        import_divisions(rows=packaged_divisions(PROVINCE))
        divisions = {d.code: d for d in Division.objects.all()}
        province = _bulk_orgs(
            [
                Org(
                    name="江西省司法厅",
                    kind=OrgKind.JUSTICE_DEPARTMENT,
                    division=divisions[PROVINCE],
                    address="江西省南昌市红谷滩区",
                    phone="0791-12348",
                )
            ]
        )[0]
        ctx = DemoContext(
            size=size, rng=rng, faker=fake, province=province, password_hash=make_password(DEMO_PASSWORD)
        )
        cities = [d for d in divisions.values() if d.level == "city"]
        counties = [d for d in divisions.values() if d.level == "county"]
        for org in _bulk_orgs(
            [
                Org(name=f"{d.name}司法局", kind=OrgKind.JUSTICE_BUREAU, division=d, parent=province)
                for d in cities
            ]
        ):
            ctx.bureaus[org.division_id] = org
        county_specs = []
        for d in counties:
            parent = ctx.bureaus.get(d.parent_id or "", province)
            county_specs.append(
                Org(
                    name=f"{parent.division.name if parent is not province else ''}{d.name}司法局",
                    kind=OrgKind.JUSTICE_BUREAU,
                    division=d,
                    parent=parent,
                )
            )
        for org in _bulk_orgs(county_specs):
            ctx.bureaus[org.division_id] = org
        _provincial_institutions(ctx, divisions)
        _county_children(ctx, counties)
        _users(ctx)
        _app_demo(ctx)
    return (
        f"demo data loaded ({size}): {Division.objects.count()} divisions, {Org.objects.count()} orgs, "
        f"{User.objects.count()} users"
    )


def _provincial_institutions(ctx: DemoContext, divisions: dict[str, Division]) -> None:
    nanchang = divisions["360100"]
    specs = [
        Org(name="江西省洪都监狱", kind=OrgKind.PRISON, division=nanchang, parent=ctx.province),
        Org(name="江西省赣西监狱", kind=OrgKind.PRISON, division=divisions["360900"], parent=ctx.province),
        Org(name="江西省女子监狱", kind=OrgKind.PRISON, division=nanchang, parent=ctx.province),
        Org(name="江西省强制隔离戒毒所", kind=OrgKind.REHAB_CENTER, division=nanchang, parent=ctx.province),
        Org(name="江西省法律援助中心", kind=OrgKind.LEGAL_AID_CENTER, division=nanchang, parent=ctx.province),
    ]
    _bulk_orgs(specs)
    notaries = [
        Org(
            name=f"{bureau.division.name}公证处",
            kind=OrgKind.NOTARY_OFFICE,
            division=bureau.division,
            parent=bureau,
        )
        for code, bureau in ctx.bureaus.items()
        if divisions[code].level == "city"
    ]
    _bulk_orgs(notaries)


def _county_children(ctx: DemoContext, counties: list[Division]) -> None:
    per_county = OFFICES_PER_COUNTY[ctx.size]
    offices, providers = [], []
    for d in counties:
        bureau = ctx.bureaus[d.code]
        towns: set[str] = set()
        while len(towns) < per_county:
            towns.add(
                ctx.faker.last_name()
                + ctx.faker.random_element(("家", "溪", "山", "桥", "湖", "岭"))
                + ctx.rng.choice(TOWN_SUFFIXES)
            )
        for town in sorted(towns):
            offices.append(
                Org(
                    name=f"{d.name}{town}司法所",
                    kind=OrgKind.JUSTICE_OFFICE,
                    division=d,
                    parent=bureau,
                    address=f"{d.name}{town}人民路{ctx.rng.randint(1, 300)}号",
                )
            )
        if ctx.size != "small":
            providers += [
                Org(name=f"{d.name}法律援助中心", kind=OrgKind.LEGAL_AID_CENTER, division=d, parent=bureau),
                Org(name=f"{d.name}社区矫正中心", kind=OrgKind.CORRECTIONS_CENTER, division=d, parent=bureau),
                Org(
                    name=f"江西{ctx.faker.last_name()}{ctx.rng.choice('正明信德')}律师事务所",
                    kind=OrgKind.LAW_FIRM,
                    division=d,
                    parent=bureau,
                ),
            ]
        elif d.code == "360102":
            providers.append(Org(name="江西正明律师事务所", kind=OrgKind.LAW_FIRM, division=d, parent=bureau))
    ctx.offices = _bulk_orgs(offices)
    _bulk_orgs(providers)
    committees = [
        Org(
            name=f"{o.name.removesuffix('司法所')}人民调解委员会",
            kind=OrgKind.MEDIATION_COMMITTEE,
            division=o.division,
            parent=o,
        )
        for o in ctx.offices
    ]
    if ctx.size == "small":
        committees = committees[:10]
    _bulk_orgs(committees)


def _user(ctx: DemoContext, username: str, role: str, org: Org | None, **extra: Any) -> User:
    name = ctx.faker.name()
    return User(
        username=username,
        display_name=name,
        role=role,
        org=org,
        password=ctx.password_hash,
        is_superuser=False,
        is_staff=False,
        **extra,
    )


def _users(ctx: DemoContext) -> None:
    b = ctx.bureaus
    donghu_office = next(o for o in ctx.offices if o.division_id == "360102")
    firm = Org.objects.filter(kind=OrgKind.LAW_FIRM, division_id="360102").first()
    users = [
        _user(ctx, "admin", Role.PROVINCE_ADMIN, ctx.province),
        _user(ctx, "nanchang", Role.BUREAU_STAFF, b["360100"]),
        _user(ctx, "donghu", Role.BUREAU_STAFF, b["360102"]),
        _user(ctx, "donghu_head", Role.BUREAU_HEAD, b["360102"]),
        _user(ctx, "donghu_office", Role.OFFICE_STAFF, donghu_office),
        _user(ctx, "xunyang", Role.BUREAU_STAFF, b["360402"]),
        _user(ctx, "lawyer1", Role.LAWYER, firm),
        _user(ctx, "citizen1", Role.CITIZEN, None),
    ]
    n = 0
    per_office = {"small": 0, "medium": 1, "province": 3}[ctx.size]
    for office in ctx.offices:
        for _ in range(per_office):
            n += 1
            users.append(_user(ctx, f"staff{n:05d}", Role.OFFICE_STAFF, office))
    for i in range({"small": 5, "medium": 200, "province": 5000}[ctx.size]):
        users.append(_user(ctx, f"citizen{i + 2:05d}", Role.CITIZEN, None))
    for u in User.objects.bulk_create(users, batch_size=1000):
        ctx.users[u.username] = u


def _app_demo(ctx: DemoContext) -> None:
    for config in apps.get_app_configs():
        if not config.name.startswith("sifa.") or config.name == "sifa.platform.orgs":
            continue
        try:
            module = importlib.import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
            continue
        module.load(ctx)

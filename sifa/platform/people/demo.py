"""Demo people: fictitious but valid-looking ID numbers (GB 11643 check digit, real birth dates),
registered at justice offices across the province; deterministic for the demo seed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sifa.platform.personal import make_id_number

from .models import Person
from .protection import protect_id_number, protect_phone

PEOPLE_PER_OFFICE = {"small": 1, "medium": 3, "province": 40}
# Faker's zh_CN given names are not split by sex, so demo names are composed from gendered lists.
GIVEN_MALE = (
    "伟",
    "强",
    "磊",
    "军",
    "勇",
    "杰",
    "涛",
    "明",
    "超",
    "刚",
    "建国",
    "志强",
    "海波",
    "文斌",
    "国平",
    "俊杰",
)
GIVEN_FEMALE = (
    "娜",
    "敏",
    "静",
    "丽",
    "艳",
    "芳",
    "婷",
    "霞",
    "燕",
    "玲",
    "秀英",
    "桂英",
    "丽华",
    "雪梅",
    "晓红",
    "佳怡",
)
MOBILE_PREFIXES = ("138", "139", "137", "150", "158", "186", "189", "133")  # allocated mainland prefixes


def make_demo_person(ctx: Any, org: Any) -> Person:
    """An unsaved Person at ``org`` with a fictitious identity drawn from the demo RNG."""
    rng, fake = ctx.rng, ctx.faker
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 55))
    sex = rng.choice("MF")
    protected_id, parsed = protect_id_number(
        make_id_number(rng, birth_date=birth, area_code=org.division_id[:6], sex=sex)
    )
    phone = protect_phone(f"{rng.choice(MOBILE_PREFIXES)}{rng.randint(0, 99_999_999):08d}")
    given = rng.choice(GIVEN_MALE if sex == "M" else GIVEN_FEMALE)
    return Person(
        org=org,
        name=fake.last_name() + given,
        sex="male" if sex == "M" else "female",
        birth_date=parsed.birth_date,  # type: ignore[attr-defined]
        id_number_token=protected_id.token,
        id_number_index=protected_id.index,
        id_number_masked=protected_id.masked,
        phone_token=phone.token,
        phone_index=phone.index,
        phone_masked=phone.masked,
        address=f"{org.division.name}{fake.street_address()}",
    )


def load(ctx: Any) -> None:
    per_office = PEOPLE_PER_OFFICE[ctx.size]
    people = [make_demo_person(ctx, office) for office in ctx.offices for _ in range(per_office)]
    Person.objects.bulk_create(people, batch_size=2000, ignore_conflicts=True)

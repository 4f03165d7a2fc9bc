from __future__ import annotations

import random
from datetime import date
from typing import Any

from sifa.platform.people.models import Person
from sifa.platform.people.protection import protect_id_number
from sifa.platform.personal import make_id_number
from sifa.platform.testing.matrix import MatrixCase

_rng = random.Random(7)


def new_id_number() -> str:
    return make_id_number(_rng, birth_date=date(1985, 6, _rng.randint(1, 28)), area_code="360102", sex="F")


def make_person(org: Any, owner: Any) -> Person:
    protected, parsed = protect_id_number(new_id_number())
    return Person.objects.create(
        org=org,
        name="测试人员",
        sex="female",
        birth_date=parsed.birth_date,  # type: ignore[attr-defined]
        id_number_token=protected.token,
        id_number_index=protected.index,
        id_number_masked=protected.masked,
    )


MATRIX = {
    "people.Person": MatrixCase(
        make=make_person,
        payload=lambda org: {
            "org": org.pk,
            "name": "李四",
            "id_number": new_id_number(),
            "phone": "13912345678",
        },
    ),
}

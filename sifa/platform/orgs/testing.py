from __future__ import annotations

from typing import Any

from sifa.platform.orgs.models import Org, OrgKind
from sifa.platform.orgs.services import bulk_create_orgs
from sifa.platform.testing.matrix import MatrixCase


def _make_org(org: Org, owner: Any) -> Org:
    return bulk_create_orgs(
        [
            {
                "name": f"{org.name}测试调解委员会",
                "kind": OrgKind.MEDIATION_COMMITTEE,
                "division": org.division,
                "parent": org,
            }
        ]
    )[0]


MATRIX = {
    "orgs.Org": MatrixCase(
        make=_make_org,
        payload=lambda org: {
            "name": "新设人民调解委员会",
            "kind": "mediation_committee",
            "division": org.division_id,
            "parent": org.pk,
        },
        change={"phone": "0791-88886666"},
    ),
}

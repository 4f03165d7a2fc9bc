from __future__ import annotations

from typing import Any

from sifa.platform.audit.models import ChangeAction, ChangeLog, PersonalDataAccess
from sifa.platform.testing.matrix import MatrixCase


def _changelog(org: Any, owner: Any) -> ChangeLog:
    return ChangeLog.objects.create(
        org=org,
        request_id="matrix",
        action=ChangeAction.UPDATE,
        object_type="orgs.Org",
        object_id=str(org.pk),
        object_repr=str(org),
    )


def _access(org: Any, owner: Any) -> PersonalDataAccess:
    from sifa.platform.accounts.models import User

    actor = User.objects.filter(org=org).first() or User.objects.create(
        username=f"reader{org.pk}", org=org, role="bureau_staff"
    )
    return PersonalDataAccess.objects.create(
        actor=actor,
        org=org,
        request_id="matrix",
        object_type="people.Person",
        object_id="1",
        field="id_number",
    )


MATRIX = {
    "audit.ChangeLog": MatrixCase(make=_changelog),
    "audit.PersonalDataAccess": MatrixCase(make=_access),
}

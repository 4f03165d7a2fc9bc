from __future__ import annotations

from typing import Any

from sifa.platform.accounts.models import User
from sifa.platform.testing.matrix import MatrixCase


def _user(org: Any, owner: Any) -> User:
    return User.objects.create(
        username=f"matrix-{org.pk}-{User.objects.count()}", org=org, role="office_staff"
    )


MATRIX = {"accounts.User": MatrixCase(make=_user)}

from __future__ import annotations

from typing import Any

import pytest

from sifa.platform.accounts.roles import Role
from sifa.platform.testing.tree import make_user


@pytest.fixture
def officer(tree: Any) -> Any:
    """A corrections officer at the 东湖区 justice office (may handle juvenile cases)."""
    return make_user("dh_officer", Role.OFFICER, tree.donghu_office)


@pytest.fixture
def nanchang_head(tree: Any) -> Any:
    return make_user("nc_head", Role.BUREAU_HEAD, tree.nanchang)

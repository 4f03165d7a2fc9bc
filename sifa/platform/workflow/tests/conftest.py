"""Fixtures for the workflow tests: the example procedure's table and its role grants."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from sifa.platform.accounts import roles

from .example import EXAMPLE_GRANTS, Case


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """Create the example model's table in the test database (it is not in any migration)."""
    with django_db_blocker.unblock():
        with connection.schema_editor() as editor:
            if Case._meta.db_table in connection.introspection.table_names():
                editor.delete_model(Case)
            editor.create_model(Case)
        # Committed now, so the ContentType cache never points at a row a test rolled back.
        ContentType.objects.get_for_model(Case)


@pytest.fixture
def example_grants(monkeypatch: pytest.MonkeyPatch) -> None:
    base = roles.role_patterns()
    extra: dict[str, list[str]] = {str(role): patterns for role, patterns in EXAMPLE_GRANTS.items()}
    merged = {role: (*patterns, *extra.get(role, [])) for role, patterns in base.items()}
    monkeypatch.setattr(roles, "role_patterns", lambda: merged)


@pytest.fixture
def make_case(tree: Any, example_grants: None) -> Any:
    def make(org: Any = None, **fields: Any) -> Case:
        return Case.objects.create(
            org=org or tree.donghu, title=fields.pop("title", "张三不服处罚决定"), **fields
        )

    return make

"""Tests whose data must be committed (a live server thread, an MQTT consumer thread).

pytest-django flushes every table after such a test, but the audit tables are append-only in the
database itself (migration audit/0002). The ``committed_db`` fixture (registered in the root
conftest) lifts the audit triggers just before the flush and the teardown hook puts them back
after it, using the migration's own create/drop functions so there is one definition of them.
"""

from __future__ import annotations

import importlib
from typing import Any


class _Executor:
    """Just enough of a schema editor for the audit migration's create/drop functions."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    def execute(self, sql: str, params: Any = None) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)


def _migration() -> Any:
    return importlib.import_module("sifa.platform.audit.migrations.0002_append_only_triggers")


def lift_audit_triggers(connection: Any) -> None:
    _migration().drop(None, _Executor(connection))


def restore_audit_triggers(connection: Any) -> None:
    migration = _migration()
    migration.drop(None, _Executor(connection))  # IF EXISTS: a no-op unless the flush failed
    migration.create(None, _Executor(connection))

"""Fixtures shared by the whole suite (pytest-django; the database is reused between runs)."""

from __future__ import annotations

import pytest


@pytest.fixture
def tree(db):
    from sifa.platform.testing.tree import build_tree

    return build_tree()


@pytest.fixture
def users(tree):
    from sifa.platform.testing.tree import default_users

    return default_users(tree)


@pytest.fixture(autouse=True)
def _fresh_caches(settings):
    """Throttle counters and axes' lockouts must not leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def committed_db(request, transactional_db):
    """Committed data (live server, consumer threads); see sifa/platform/testing/committed.py."""
    yield
    from django.db import connection

    from sifa.platform.testing.committed import lift_audit_triggers

    lift_audit_triggers(connection)  # torn down before transactional_db's flush
    request.node.sifa_audit_triggers_lifted = True


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield  # every fixture of the test, the flush included, is torn down now
    if not getattr(item, "sifa_audit_triggers_lifted", False):
        return
    from django.db import connection
    from pytest_django.plugin import blocking_manager_key

    from sifa.platform.testing.committed import restore_audit_triggers

    with item.config.stash[blocking_manager_key].unblock():
        restore_audit_triggers(connection)

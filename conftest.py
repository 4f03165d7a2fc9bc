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

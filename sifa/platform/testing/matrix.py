"""What the generated scoping matrix needs to know about each scoped model.

Each app that has scoped endpoints declares, in ``<app>/testing.py``::

    MATRIX = {"corrections.Supervisee": MatrixCase(make=lambda org, owner: ..., payload=..., change=...)}

``make(org, owner)`` creates a row owned by ``org`` (and by ``owner`` for citizen-owned models);
``payload(org)`` is a valid create body for the API in ``org`` (None: the endpoint has no create);
``change`` is a valid PATCH body. The matrix test fails for an endpoint whose model has no case,
so a new endpoint is covered as soon as it exists.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import apps


@dataclass(frozen=True)
class MatrixCase:
    make: Callable[[Any, Any], Any]
    payload: Callable[[Any], dict[str, Any]] | None = None
    change: dict[str, Any] | None = None


@cache
def cases() -> dict[str, MatrixCase]:
    found: dict[str, MatrixCase] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("sifa."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.testing")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.testing":
                raise
            continue
        found.update(getattr(module, "MATRIX", {}))
    return found

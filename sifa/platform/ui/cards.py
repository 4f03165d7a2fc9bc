"""Dashboard cards (the registry): an app adds ``<app>/dashboard.py`` with ``cards(user) -> list[Card]``."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.apps import apps


@dataclass
class Card:
    label: str
    value: int | str
    url: str = ""
    icon: str = "bar-chart"
    chart: dict[str, Any] | None = field(default=None)  # an ECharts option, rendered by the dashboard


@cache
def providers() -> tuple[Callable[[Any], list[Card]], ...]:
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("sifa."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.dashboard")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.dashboard":
                raise
            continue
        found.append(module.cards)
    return tuple(found)


def cards_for(user: Any) -> list[Card]:
    result: list[Card] = []
    for provider in providers():
        result.extend(provider(user))
    return result

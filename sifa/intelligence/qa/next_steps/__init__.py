"""The "what to do next" knowledge base (下一步怎么办), one list of steps per advice category.

The steps live in ``steps.yaml`` beside this file so the team (and later staff, through the pages)
can improve the wording without touching code. Each step may rest on a statute article; the tests
check that every cited article exists in the statute index.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

__all__ = ["STEPS_FILE", "NextStep", "load_knowledge_base", "next_steps_for"]

STEPS_FILE = Path(__file__).resolve().parent / "steps.yaml"


@dataclass(frozen=True)
class NextStep:
    id: str
    title: str
    detail: str
    service: str
    law: str | None = None
    article: str | None = None
    deadline: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _step(raw: dict[str, Any]) -> NextStep:
    statute = raw.get("statute") or {}
    return NextStep(
        id=str(raw["id"]),
        title=str(raw["title"]),
        detail=str(raw["detail"]),
        service=str(raw["service"]),
        law=statute.get("law"),
        article=statute.get("article"),
        deadline=raw.get("deadline"),
    )


@lru_cache(maxsize=2)
def load_knowledge_base(
    path: str | None = None,
) -> tuple[tuple[NextStep, ...], dict[str, tuple[NextStep, ...]]]:
    """(common steps, {category: steps}) from the YAML file."""
    data = yaml.safe_load(Path(path or STEPS_FILE).read_text(encoding="utf-8"))
    common = tuple(_step(s) for s in data.get("common", []))
    categories = {cat: tuple(_step(s) for s in steps) for cat, steps in data.get("categories", {}).items()}
    return common, categories


def next_steps_for(category: str, *, limit: int = 8, include_common: bool = True) -> list[NextStep]:
    """Steps for a category (its own first), then the common ones it does not already cover."""
    common, categories = load_knowledge_base()
    steps = list(categories.get(category, categories.get("other", ())))
    if include_common:
        services = {s.service for s in steps}
        steps += [s for s in common if s.service not in services or s.service == "hotline"]
    return steps[:limit]

"""Idempotent background jobs: ``run_once`` writes a receipt in the same transaction as the job's
effect, so a job redelivered after its worker died (acks_late + reject_on_worker_lost) commits its
effect exactly once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import IntegrityError, transaction

from .models import JobReceipt

T = TypeVar("T")


def run_once(key: str, task: str, effect: Callable[[], T]) -> tuple[bool, T | None]:
    """Run ``effect`` and record ``key`` atomically; (False, None) when ``key`` is already done."""
    if JobReceipt.objects.filter(key=key).exists():
        return False, None
    try:
        with transaction.atomic():
            result = effect()
            JobReceipt.objects.create(key=key, task=task, result=_jsonable(result))
    except IntegrityError:
        # Another delivery of the same job committed first; ours rolled back entirely.
        if JobReceipt.objects.filter(key=key).exists():
            return False, None
        raise
    return True, result


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)

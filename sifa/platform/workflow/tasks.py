"""Celery tasks of the workflow app (thin: the work is in scan.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from celery import shared_task


@shared_task(name="sifa.platform.workflow.tasks.scan_deadlines", acks_late=True)
def scan_deadlines(as_of: str | None = None) -> dict[str, Any]:
    """Every 15 minutes (settings.CELERY_BEAT_SCHEDULE): near-due/overdue warnings. Idempotent."""
    from .scan import scan_deadlines as scan

    return scan(as_of=date.fromisoformat(as_of) if as_of else None).as_dict()

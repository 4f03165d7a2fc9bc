"""Background jobs (Celery). Idempotent: a re-delivered job finds nothing left to do."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from .services import flag_unreported


@shared_task(name="sifa.penal.corrections.tasks.flag_unreported_supervisees")
def flag_unreported_supervisees(as_of: str | None = None) -> int:
    """Art 30: everyone still not reported after the reporting due date goes missing and is searched
    for. Run daily (beat: ``corrections-unreported``)."""
    return flag_unreported(as_of=dt.date.fromisoformat(as_of) if as_of else None)

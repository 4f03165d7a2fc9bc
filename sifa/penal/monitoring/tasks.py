"""Periodic jobs of electronic monitoring (Celery; idempotent, safe to run twice).

Schedule them in settings.CELERY_BEAT_SCHEDULE (see docs/monitoring.md):
escalate_alerts every minute, scan_offline every 5 minutes, maintain_positions and
export_positions_to_lake daily.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task


@shared_task(name="sifa.penal.monitoring.tasks.escalate_alerts", acks_late=True)
def escalate_alerts() -> dict[str, Any]:
    """Alerts unacknowledged for SIFA_MONITORING_ESCALATE_MINUTES go to the county bureau."""
    from .services import escalate_overdue_alerts

    return {"escalated": escalate_overdue_alerts()}


@shared_task(name="sifa.penal.monitoring.tasks.scan_offline", acks_late=True)
def scan_offline() -> dict[str, Any]:
    """OFFLINE alerts for monitored devices silent for SIFA_MONITORING_OFFLINE_MINUTES."""
    from .services import scan_offline_devices

    return {"offline": scan_offline_devices()}


@shared_task(name="sifa.penal.monitoring.tasks.maintain_positions", acks_late=True)
def maintain_positions() -> dict[str, Any]:
    """Monthly partitions ahead, retention (SIFA_MONITORING_RETENTION_DAYS, default 365) behind."""
    from .storage import maintain_partitions

    return maintain_partitions().as_dict()


@shared_task(name="sifa.penal.monitoring.tasks.export_positions_to_lake", acks_late=True)
def export_positions_to_lake(day: str | None = None) -> dict[str, Any]:
    """Yesterday's positions (China time) as Parquet in the analytics lake; re-running replaces it."""
    import datetime as dt

    from django.utils import timezone

    from .lake import export_day

    target_day = dt.date.fromisoformat(day) if day else timezone.localdate() - dt.timedelta(days=1)
    path, rows = export_day(target_day)
    return {"day": target_day.isoformat(), "rows": rows, "file": str(path)}

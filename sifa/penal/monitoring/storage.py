"""Position storage upkeep: monthly partitions and retention.

PostgreSQL: ``monitoring_position`` is range-partitioned by month on ``ts`` (migration 0001). Each
run of :func:`maintain_partitions` (a daily periodic task, idempotent):

1. creates the partitions of the current month and the next ``ahead`` months — a partition is built
   detached, any rows for its range are moved out of the DEFAULT partition into it, then attached,
   so a month that arrived early (a backlog upload, a clock error) never blocks the attach;
2. drops whole monthly partitions that end before the retention cut-off (a metadata operation, not
   a DELETE), and deletes expired rows left in the DEFAULT partition.

SQLite (the embedded default): one plain table; expired rows are deleted in chunks.
Retention: ``SIFA_MONITORING_RETENTION_DAYS`` (default 365).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

TABLE = "monitoring_position"
DEFAULT_PARTITION = f"{TABLE}_default"
_PARTITION_RE = re.compile(rf"^{TABLE}_y(\d{{4}})m(\d{{2}})$")


def retention_days() -> int:
    return int(getattr(settings, "SIFA_MONITORING_RETENTION_DAYS", 365))


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def partition_name(month: dt.date) -> str:
    return f"{TABLE}_y{month.year:04d}m{month.month:02d}"


def _bound(month: dt.date) -> str:
    # Partition bounds in UTC so they do not depend on the session time zone.
    return f"{month.isoformat()} 00:00:00+00"


@dataclass
class MaintenanceReport:
    vendor: str
    created: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    moved_rows: int = 0
    deleted_rows: int = 0

    def as_dict(self) -> dict[str, object]:
        return {
            "vendor": self.vendor,
            "created": self.created,
            "dropped": self.dropped,
            "moved_rows": self.moved_rows,
            "deleted_rows": self.deleted_rows,
        }


def existing_partitions() -> list[str]:
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cur:
        cur.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s ORDER BY c.relname",
            [TABLE],
        )
        return [row[0] for row in cur.fetchall()]


def maintain_partitions(
    *, today: dt.date | None = None, ahead: int = 2, retention: int | None = None
) -> MaintenanceReport:
    today = today or timezone.now().astimezone(dt.UTC).date()
    keep_days = retention_days() if retention is None else retention
    cutoff = dt.datetime.combine(today, dt.time(), tzinfo=dt.UTC) - dt.timedelta(days=keep_days)
    report = MaintenanceReport(vendor=connection.vendor)
    if connection.vendor != "postgresql":
        report.deleted_rows = _delete_expired_plain(cutoff)
        return report
    present = set(existing_partitions())
    first = _month_start(today)
    for k in range(ahead + 1):
        month = _add_months(first, k)
        name = partition_name(month)
        if name in present:
            continue
        report.moved_rows += _create_partition(month)
        report.created.append(name)
    for name in sorted(present):
        match = _PARTITION_RE.match(name)
        if not match:
            continue
        month = dt.date(int(match.group(1)), int(match.group(2)), 1)
        upper = dt.datetime.combine(_add_months(month, 1), dt.time(), tzinfo=dt.UTC)
        if upper <= cutoff:
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute(f'ALTER TABLE {TABLE} DETACH PARTITION "{name}"')
                cur.execute(f'DROP TABLE "{name}"')
            report.dropped.append(name)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"DELETE FROM {DEFAULT_PARTITION} WHERE ts < %s", [cutoff])  # noqa: S608 - constant name
        report.deleted_rows += max(cur.rowcount, 0)
    return report


def _create_partition(month: dt.date) -> int:
    """Create one month's partition; rows already in DEFAULT for that month move into it."""
    name = partition_name(month)
    lower, upper = _bound(month), _bound(_add_months(month, 1))
    with transaction.atomic(), connection.cursor() as cur:
        # Serialise against concurrent inserts into DEFAULT while rows move (short: a month's strays).
        cur.execute(f"LOCK TABLE {DEFAULT_PARTITION} IN SHARE ROW EXCLUSIVE MODE")
        cur.execute(f'CREATE TABLE "{name}" (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)')
        cur.execute(
            # Table names are constants and partition_name() digits, never input; values are bound.
            f"WITH moved AS (DELETE FROM {DEFAULT_PARTITION} WHERE ts >= %s AND ts < %s RETURNING *) "  # noqa: S608
            f'INSERT INTO "{name}" SELECT * FROM moved',
            [lower, upper],
        )
        moved = max(cur.rowcount, 0)
        cur.execute(
            f"ALTER TABLE {TABLE} ATTACH PARTITION \"{name}\" FOR VALUES FROM ('{lower}') TO ('{upper}')"
        )
    return moved


def _delete_expired_plain(cutoff: dt.datetime, chunk: int = 50_000) -> int:
    from .models import Position

    total = 0
    while True:
        ids = list(Position.objects.filter(ts__lt=cutoff).values_list("pk", flat=True)[:chunk])
        if not ids:
            return total
        with transaction.atomic():
            total += Position.objects.filter(pk__in=ids).delete()[0]

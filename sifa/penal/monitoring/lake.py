"""Daily Parquet export of positions to the analytics lake (issue 5: "the analytics lake gets
daily Parquet").

One file per China-time day: ``<lake>/monitoring/positions/date=YYYY-MM-DD/positions.parquet``
(Hive-style partitioning, readable by DuckDB, Spark or pandas as one dataset). Exporting a day
again replaces its file atomically, so the job is idempotent and a late-arriving fix is picked up
by re-running the day. Coordinates keep their datum in the column names (WGS-84, as reported).
The lake holds only what analytics needs: no names or ID numbers, the supervisee by id.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings

from .models import Position

CHINA = ZoneInfo("Asia/Shanghai")
CHUNK = 50_000

SCHEMA = pa.schema([
    ("position_id", pa.int64()),
    ("device_id", pa.int64()),
    ("supervisee_id", pa.int64()),
    ("ts", pa.timestamp("ms", tz="UTC")),
    ("lat_wgs84", pa.float64()),
    ("lon_wgs84", pa.float64()),
    ("accuracy_m", pa.float64()),
    ("speed_mps", pa.float64()),
    ("battery_pct", pa.float64()),
])  # fmt: skip
FIELDS = ("id", "device_id", "supervisee_id", "ts", "lat_wgs84", "lon_wgs84", "accuracy", "speed", "battery")


def lake_root() -> Path:
    return Path(os.environ.get("SIFA_LAKE_DIR", settings.VAR_DIR / "lake"))


def day_path(day: dt.date, root: Path | None = None) -> Path:
    return (
        (root or lake_root()) / "monitoring" / "positions" / f"date={day.isoformat()}" / "positions.parquet"
    )


def export_day(day: dt.date, *, root: Path | None = None) -> tuple[Path, int]:
    """Write every position whose China-time date is ``day``; returns (file, rows)."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=CHINA)
    end = start + dt.timedelta(days=1)
    target = day_path(day, root)
    target.parent.mkdir(parents=True, exist_ok=True)
    rows = 0
    fd, tmp_name = tempfile.mkstemp(prefix=".positions-", suffix=".parquet", dir=target.parent)
    os.close(fd)
    try:
        with pq.ParquetWriter(tmp_name, SCHEMA, compression="zstd") as writer:
            # A plain, unscoped read: this is the platform's own export job, not a user's request.
            query = (
                Position.objects.filter(ts__gte=start, ts__lt=end).order_by("ts", "id").values_list(*FIELDS)
            )
            batch: list[tuple[object, ...]] = []
            for row in query.iterator(chunk_size=CHUNK):
                batch.append(row)
                if len(batch) >= CHUNK:
                    writer.write_table(_table(batch))
                    rows += len(batch)
                    batch = []
            if batch or rows == 0:
                writer.write_table(_table(batch))
                rows += len(batch)
        os.replace(tmp_name, target)  # readers never see a half-written day
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return target, rows


def _table(rows: list[tuple[object, ...]]) -> pa.Table:
    columns: list[tuple[object, ...]] = list(zip(*rows, strict=True)) if rows else [() for _ in FIELDS]
    return pa.Table.from_arrays(
        [pa.array(col, type=f.type) for col, f in zip(columns, SCHEMA, strict=True)], schema=SCHEMA
    )

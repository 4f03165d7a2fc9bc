"""The analytics lake gets each day's positions as Parquet (issue 5, Storage)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pyarrow.parquet as pq
import pytest

from sifa.penal.monitoring.lake import day_path, export_day
from sifa.penal.monitoring.models import Device, Position
from sifa.penal.monitoring.tasks import export_positions_to_lake

pytestmark = pytest.mark.django_db
CHINA = ZoneInfo("Asia/Shanghai")


def _fix(device: Device, when: dt.datetime, lat: float) -> Position:
    return Position(
        device=device,
        supervisee_id=device.supervisee_id,
        ts=when,
        lat_wgs84=lat,
        lon_wgs84=115.9,
        accuracy=8.0,
    )


def test_a_day_is_exported_by_china_date_and_re_exporting_replaces_it(device: Device, tmp_path) -> None:
    day = dt.date(2026, 11, 20)
    Position.objects.bulk_create([
        _fix(device, dt.datetime(2026, 11, 19, 23, 59, tzinfo=CHINA), 28.70),  # the day before
        _fix(device, dt.datetime(2026, 11, 20, 0, 1, tzinfo=CHINA), 28.71),  # 16:01 UTC on the 19th
        _fix(device, dt.datetime(2026, 11, 20, 23, 58, tzinfo=CHINA), 28.72),
        _fix(device, dt.datetime(2026, 11, 21, 0, 0, tzinfo=CHINA), 28.73),  # the next day
    ])  # fmt: skip
    path, rows = export_day(day, root=tmp_path)
    assert path == day_path(day, tmp_path) and path.parent.name == "date=2026-11-20"
    table = pq.read_table(path)
    assert rows == table.num_rows == 2
    assert table.column("lat_wgs84").to_pylist() == [28.71, 28.72]
    assert set(table.column_names) >= {"supervisee_id", "ts", "lat_wgs84", "lon_wgs84", "accuracy_m"}
    assert not {"name", "id_number"} & set(table.column_names)  # the lake holds no identities

    Position.objects.bulk_create([_fix(device, dt.datetime(2026, 11, 20, 12, 0, tzinfo=CHINA), 28.99)])
    _path, again = export_day(day, root=tmp_path)
    assert again == pq.read_table(path).num_rows == 3  # a late fix: re-running the day replaces the file
    assert [p.name for p in path.parent.iterdir()] == ["positions.parquet"]  # no temporary file left


def test_an_empty_day_still_gets_a_readable_file(tmp_path) -> None:
    path, rows = export_day(dt.date(2026, 1, 1), root=tmp_path)
    assert rows == 0 and pq.read_table(path).num_rows == 0


def test_the_daily_task_exports_yesterday(device: Device, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SIFA_LAKE_DIR", str(tmp_path))
    result = export_positions_to_lake("2026-11-20")
    assert result["day"] == "2026-11-20" and result["file"].startswith(str(tmp_path))

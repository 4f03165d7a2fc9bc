"""GB/T 2260 divisions: the packaged Jiangxi tree, outlines in GCJ-02, CSV import with clear errors."""

from __future__ import annotations

import subprocess
import sys

import pytest

from sifa.platform.orgs.divisions import (
    OUTLINE_DATUM,
    DivisionImportError,
    outline,
    packaged_divisions,
    parse_division_csv,
)
from sifa.platform.orgs.models import Division
from sifa.platform.orgs.services import import_divisions


def test_jiangxi_has_11_cities_and_100_counties_with_outlines() -> None:
    rows = packaged_divisions("360000")
    levels = [r.level for r in rows]
    assert levels.count("province") == 1 and levels.count("city") == 11 and levels.count("county") == 100
    donghu = next(r for r in rows if r.code == "360102")
    assert donghu.name == "东湖区" and donghu.parent_code == "360100"
    shape = outline("360102")
    assert shape is not None and shape["type"] in {"Polygon", "MultiPolygon"} and OUTLINE_DATUM == "GCJ-02"
    lon, lat = (
        shape["coordinates"][0][0][0] if shape["type"] == "MultiPolygon" else shape["coordinates"][0][0]
    )
    assert 115.8 < lon < 116.1 and 28.6 < lat < 28.8  # Nanchang's old town


def test_csv_import_creates_parents_before_children(db) -> None:
    rows = parse_division_csv(
        "code,name,parent_code,level\n360102,东湖区,360100,county\n360100,南昌市,360000,city\n"
        "360000,江西省,,province\n"
    )
    assert import_divisions(rows=rows) == {"created": 3, "updated": 0}
    assert str(Division.objects.get(code="360102").parent) == "南昌市（360100）"


@pytest.mark.parametrize(
    ("text", "field", "line"),
    [
        ("code,name,level\n", "header", 1),
        ("code,name,parent_code,level\n36010X,东湖区,360100,county\n", "code", 2),
        ("code,name,parent_code,level\n360000,江西省,,province\n360100,,360000,city\n", "name", 3),
        ("code,name,parent_code,level\n360100,南昌市,360000,town\n", "level", 2),
        ("code,name,parent_code,level\n360100,南昌市,,city\n", "parent_code", 2),
    ],
)
def test_csv_errors_name_line_and_field(text: str, field: str, line: int) -> None:
    with pytest.raises(DivisionImportError) as err:
        parse_division_csv(text)
    assert (err.value.field, err.value.line) == (field, line)


def test_import_with_unknown_parent_saves_nothing(db) -> None:
    rows = parse_division_csv(
        "code,name,parent_code,level\n360000,江西省,,province\n999901,某县,999900,county\n"
    )
    with pytest.raises(DivisionImportError, match="999900"):
        import_divisions(rows=rows)
    assert not Division.objects.exists()


def test_cli_loaddivisions_reports_bad_file_with_exit_2(tmp_path) -> None:
    bad = tmp_path / "d.csv"
    bad.write_text("code,name,parent_code,level\n12,太短,,province\n", encoding="utf-8")
    env = {"SIFA_MODE": "development", "SIFA_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}", "PATH": ""}
    result = subprocess.run(
        [sys.executable, "-m", "sifa.cli", "loaddivisions", str(bad)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2 and "code" in result.stderr and "第2行" in result.stderr

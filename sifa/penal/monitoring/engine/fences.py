"""Geofence definitions (电子围栏) and their time windows. All coordinates WGS-84.

Three kinds, each with a fixed rule:

* allowed area (活动区域, by default the county of residence): the supervisee must stay INSIDE;
* exclusion zone (禁止区域: a victim's address, schools…): must stay OUTSIDE;
* curfew (宵禁): must be INSIDE (a home circle) while the time window is active, e.g. 22:00–06:00.

Any fence may carry a time window; outside it the fence is not enforced. Windows are in local
wall-clock minutes (Asia/Shanghai by default) and may cross midnight (start > end).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry


class FenceKind(StrEnum):
    ALLOWED_AREA = "allowed_area"
    EXCLUSION_ZONE = "exclusion_zone"
    CURFEW = "curfew"

    @property
    def must_be_inside(self) -> bool:
        return self is not FenceKind.EXCLUSION_ZONE


class KindCode(IntEnum):
    """Compact code stored in the per-device arrays (0 = empty slot)."""

    EMPTY = 0
    ALLOWED_AREA = 1
    EXCLUSION_ZONE = 2
    CURFEW = 3

    @classmethod
    def of(cls, kind: FenceKind) -> KindCode:
        return cls[kind.name]

    @property
    def kind(self) -> FenceKind:
        return FenceKind[self.name]


NO_WINDOW = -1


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """[start, end) in local minutes after midnight; start > end crosses midnight."""

    start_minute: int
    end_minute: int

    def __post_init__(self) -> None:
        for value in (self.start_minute, self.end_minute):
            if not 0 <= value < 24 * 60:
                raise ValueError("window minutes must be within 0..1439")
        if self.start_minute == self.end_minute:
            raise ValueError("an empty window; omit the window to enforce all day")

    @classmethod
    def parse(cls, text: str) -> TimeWindow:
        """'22:00-06:00' → TimeWindow(1320, 360)."""
        start, end = (part.strip() for part in text.split("-"))
        return cls(_minutes(start), _minutes(end))

    def contains(self, minute: int) -> bool:
        return bool(
            window_active(np.array([minute]), np.array([self.start_minute]), np.array([self.end_minute]))[0]
        )


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def window_active(
    minute: NDArray[np.integer], start: NDArray[np.integer], end: NDArray[np.integer]
) -> NDArray[np.bool_]:
    """Element-wise: is `minute` inside [start, end)? start == NO_WINDOW means always active."""
    plain = (start <= minute) & (minute < end)
    wrapped = (minute >= start) | (minute < end)
    return np.where(start == NO_WINDOW, True, np.where(start <= end, plain, wrapped))


def local_minutes(ts: NDArray[np.float64], tz: ZoneInfo) -> NDArray[np.int32]:
    """Local minute of day for epoch seconds, vectorised.

    The UTC offset is looked up once per distinct offset in the batch (Asia/Shanghai has had one
    offset, +08:00, since 1991), so this is one array expression in practice.
    """
    if ts.size == 0:
        return np.zeros(0, dtype=np.int32)
    lo = _offset_seconds(float(ts.min()), tz)
    hi = _offset_seconds(float(ts.max()), tz)
    if lo == hi:
        offset: NDArray[np.float64] | float = lo
    else:  # a DST change inside the batch (not in China): per element
        offset = np.array([_offset_seconds(float(t), tz) for t in ts])
    return (((ts + offset) % 86400.0) // 60.0).astype(np.int32)


def _offset_seconds(ts: float, tz: ZoneInfo) -> float:
    from datetime import UTC, datetime

    offset = datetime.fromtimestamp(ts, tz=UTC).astimezone(tz).utcoffset()
    return offset.total_seconds() if offset is not None else 0.0


@dataclass(frozen=True, slots=True)
class PolygonFence:
    """A polygon fence shared by many supervisees (a county outline, a school's grounds)."""

    key: str  # stable identifier, e.g. "county:360111" — part of event idempotency keys
    geometry_wgs84: BaseGeometry
    kind: FenceKind
    window: TimeWindow | None = None


@dataclass(frozen=True, slots=True)
class CircleFence:
    """A circle fence of one supervisee (a victim's address, the home for curfew)."""

    key: str
    lat_wgs84: float
    lon_wgs84: float
    radius_m: float
    kind: FenceKind
    window: TimeWindow | None = None

    def __post_init__(self) -> None:
        if not self.radius_m > 0:
            raise ValueError("radius_m must be positive")
        if not (-90 <= self.lat_wgs84 <= 90 and -180 <= self.lon_wgs84 <= 180):
            raise ValueError("circle centre out of range")

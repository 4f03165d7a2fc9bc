"""The decoded position ("fix") and its columnar batch form.

A `Fix` is one position report from one device, already in SI units and in WGS-84. A `FixBatch`
holds many fixes as parallel numpy arrays so that the filter and the fence checks run vectorised;
the decoders produce either form and `FixBatch.from_fixes` converts.

Units: time is epoch seconds (UTC, float); speed m/s; bearing degrees clockwise from north;
altitude and accuracy metres; battery percent 0–100. Missing optional values are NaN in a batch and
None on a `Fix`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from numpy.typing import NDArray


class DecodeError(ValueError):
    """A device message could not be decoded; `field` names the offending field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class Fix:
    device_id: str
    ts: float  # epoch seconds, UTC
    lat_wgs84: float
    lon_wgs84: float
    speed_mps: float | None = None
    bearing_deg: float | None = None
    altitude_m: float | None = None
    accuracy_m: float | None = None
    battery_pct: float | None = None
    valid: bool = True  # the device's own validity flag (OsmAnd `valid`)

    @property
    def ts_utc(self) -> datetime:
        return datetime.fromtimestamp(self.ts, tz=UTC)


def _nan(value: float | None) -> float:
    return math.nan if value is None else value


@dataclass(slots=True)
class FixBatch:
    """Columnar fixes. All arrays have the same length; `device_id` is a list of str."""

    device_id: list[str]
    ts: NDArray[np.float64]
    lat_wgs84: NDArray[np.float64]
    lon_wgs84: NDArray[np.float64]
    speed_mps: NDArray[np.float64]
    bearing_deg: NDArray[np.float64]
    altitude_m: NDArray[np.float64]
    accuracy_m: NDArray[np.float64]
    battery_pct: NDArray[np.float64]
    valid: NDArray[np.bool_]

    def __len__(self) -> int:
        return len(self.device_id)

    @classmethod
    def empty(cls) -> FixBatch:
        return cls.from_fixes([])

    @classmethod
    def from_fixes(cls, fixes: Sequence[Fix]) -> FixBatch:
        n = len(fixes)

        def col(values: list[float]) -> NDArray[np.float64]:
            return np.fromiter(values, dtype=np.float64, count=n)

        return cls(
            device_id=[f.device_id for f in fixes],
            ts=col([f.ts for f in fixes]),
            lat_wgs84=col([f.lat_wgs84 for f in fixes]),
            lon_wgs84=col([f.lon_wgs84 for f in fixes]),
            speed_mps=col([_nan(f.speed_mps) for f in fixes]),
            bearing_deg=col([_nan(f.bearing_deg) for f in fixes]),
            altitude_m=col([_nan(f.altitude_m) for f in fixes]),
            accuracy_m=col([_nan(f.accuracy_m) for f in fixes]),
            battery_pct=col([_nan(f.battery_pct) for f in fixes]),
            valid=np.fromiter((f.valid for f in fixes), dtype=np.bool_, count=n),
        )

    def fix(self, i: int) -> Fix:
        def opt(a: NDArray[np.float64]) -> float | None:
            v = float(a[i])
            return None if math.isnan(v) else v

        return Fix(
            device_id=self.device_id[i],
            ts=float(self.ts[i]),
            lat_wgs84=float(self.lat_wgs84[i]),
            lon_wgs84=float(self.lon_wgs84[i]),
            speed_mps=opt(self.speed_mps),
            bearing_deg=opt(self.bearing_deg),
            altitude_m=opt(self.altitude_m),
            accuracy_m=opt(self.accuracy_m),
            battery_pct=opt(self.battery_pct),
            valid=bool(self.valid[i]),
        )

    def take(self, index: NDArray[np.intp] | NDArray[np.bool_]) -> FixBatch:
        idx = np.flatnonzero(index) if index.dtype == np.bool_ else index
        return FixBatch(
            device_id=[self.device_id[i] for i in idx.tolist()],
            ts=self.ts[idx],
            lat_wgs84=self.lat_wgs84[idx],
            lon_wgs84=self.lon_wgs84[idx],
            speed_mps=self.speed_mps[idx],
            bearing_deg=self.bearing_deg[idx],
            altitude_m=self.altitude_m[idx],
            accuracy_m=self.accuracy_m[idx],
            battery_pct=self.battery_pct[idx],
            valid=self.valid[idx],
        )

    @staticmethod
    def concat(batches: Sequence[FixBatch]) -> FixBatch:
        if not batches:
            return FixBatch.empty()
        if len(batches) == 1:
            return batches[0]
        ids: list[str] = []
        for b in batches:
            ids.extend(b.device_id)
        return FixBatch(
            device_id=ids,
            ts=np.concatenate([b.ts for b in batches]),
            lat_wgs84=np.concatenate([b.lat_wgs84 for b in batches]),
            lon_wgs84=np.concatenate([b.lon_wgs84 for b in batches]),
            speed_mps=np.concatenate([b.speed_mps for b in batches]),
            bearing_deg=np.concatenate([b.bearing_deg for b in batches]),
            altitude_m=np.concatenate([b.altitude_m for b in batches]),
            accuracy_m=np.concatenate([b.accuracy_m for b in batches]),
            battery_pct=np.concatenate([b.battery_pct for b in batches]),
            valid=np.concatenate([b.valid for b in batches]),
        )

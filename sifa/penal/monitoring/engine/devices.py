"""Per-device state kept in numpy arrays, indexed by a dense device number.

A device (phone or wristband) is registered while its supervisee has an active electronic
monitoring order (社区矫正法 Art 29) and unregistered when the order ends; positions from
unregistered devices are rejected and counted, never stored.

Each device has P polygon slots (fence ids into the engine's polygon book: the allowed county,
shared exclusion polygons) and C circle slots (its own circles: a victim's address, the curfew home).
Hysteresis state lives beside each slot, so one batch updates every (device, fence) pair at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .fences import NO_WINDOW, CircleFence, KindCode

# Per-device 1-D arrays: name → (dtype, fill value).
_DEVICE_COLUMNS: dict[str, tuple[Any, Any]] = {
    "registered": (np.bool_, False),
    "registered_at": (np.float64, np.nan),
    "last_ts": (np.float64, np.nan),  # fix time of the last accepted fix
    "last_lat": (np.float64, np.nan),
    "last_lon": (np.float64, np.nan),
    "speed_run": (np.int16, 0),  # consecutive speed-jump rejections
    "offline": (np.bool_, False),
    "low_battery": (np.bool_, False),
    "tokens": (np.float64, np.nan),  # rate-limit bucket (NaN = full)
    "tokens_at": (np.float64, np.nan),
}
# Per-slot 2-D arrays for polygons and circles.
_POLY_COLUMNS: dict[str, tuple[Any, Any]] = {
    "poly_fence": (np.int32, -1),
    "poly_inside": (np.bool_, False),
    "poly_count": (np.int16, 0),
    "poly_breach": (np.bool_, False),
}
_CIRCLE_COLUMNS: dict[str, tuple[Any, Any]] = {
    "c_kind": (np.int8, KindCode.EMPTY),
    "c_lat": (np.float64, np.nan),
    "c_lon": (np.float64, np.nan),
    "c_radius": (np.float64, np.nan),
    "c_wstart": (np.int16, NO_WINDOW),
    "c_wend": (np.int16, NO_WINDOW),
    "c_inside": (np.bool_, False),
    "c_count": (np.int16, 0),
    "c_breach": (np.bool_, False),
}


class DeviceTable:
    def __init__(self, capacity: int = 1024, poly_slots: int = 2, circle_slots: int = 2) -> None:
        self.device_ids: list[str] = []
        self.supervisee_ids: list[str] = []
        self.index: dict[str, int] = {}
        self.circle_keys: dict[int, list[str]] = {}  # only for devices with named circles
        self.capacity = max(capacity, 1)
        self.poly_slots = poly_slots
        self.circle_slots = circle_slots
        self.arrays: dict[str, NDArray[Any]] = {}
        for name, (dtype, fill) in _DEVICE_COLUMNS.items():
            self.arrays[name] = np.full(self.capacity, fill, dtype=dtype)
        for name, (dtype, fill) in _POLY_COLUMNS.items():
            self.arrays[name] = np.full((self.capacity, poly_slots), fill, dtype=dtype)
        for name, (dtype, fill) in _CIRCLE_COLUMNS.items():
            self.arrays[name] = np.full((self.capacity, circle_slots), fill, dtype=dtype)

    def __len__(self) -> int:
        return len(self.device_ids)

    def __getattr__(self, name: str) -> NDArray[Any]:
        # Arrays are reallocated on growth, so always fetch through the dict.
        try:
            return self.__dict__["arrays"][name]
        except KeyError:
            raise AttributeError(name) from None

    # -- growth ---------------------------------------------------------------------------------
    def _ensure_capacity(self, n: int) -> None:
        if n <= self.capacity:
            return
        new_cap = max(n, self.capacity * 2)
        for columns in (_DEVICE_COLUMNS, _POLY_COLUMNS, _CIRCLE_COLUMNS):
            for name, (_dtype, fill) in columns.items():
                old = self.arrays[name]
                new = np.full((new_cap, *old.shape[1:]), fill, dtype=old.dtype)
                new[: self.capacity] = old
                self.arrays[name] = new
        self.capacity = new_cap

    def _ensure_slots(self, poly_slots: int, circle_slots: int) -> None:
        for columns, want, have in (
            (_POLY_COLUMNS, poly_slots, self.poly_slots),
            (_CIRCLE_COLUMNS, circle_slots, self.circle_slots),
        ):
            if want <= have:
                continue
            for name, (_dtype, fill) in columns.items():
                old = self.arrays[name]
                new = np.full((old.shape[0], want), fill, dtype=old.dtype)
                new[:, :have] = old
                self.arrays[name] = new
        self.poly_slots = max(self.poly_slots, poly_slots)
        self.circle_slots = max(self.circle_slots, circle_slots)

    # -- registration ---------------------------------------------------------------------------
    def slot_of(self, device_id: str, supervisee_id: str) -> int:
        idx = self.index.get(device_id)
        if idx is None:
            idx = len(self.device_ids)
            self._ensure_capacity(idx + 1)
            self.device_ids.append(device_id)
            self.supervisee_ids.append(supervisee_id)
            self.index[device_id] = idx
        else:
            self.supervisee_ids[idx] = supervisee_id
        return idx

    def set_fences(
        self,
        idx: int,
        poly_ids: Sequence[int],
        poly_inside0: Sequence[bool],
        circles: Sequence[CircleFence],
        now: float,
    ) -> None:
        """Bind fences to a device and reset its hysteresis state to 'compliant'."""
        self._ensure_slots(len(poly_ids), len(circles))
        a = self.arrays
        a["registered"][idx] = True
        a["registered_at"][idx] = now
        a["offline"][idx] = False
        for name, (_dtype, fill) in (_POLY_COLUMNS | _CIRCLE_COLUMNS).items():
            a[name][idx, :] = fill
        for s, (pid, inside0) in enumerate(zip(poly_ids, poly_inside0, strict=True)):
            a["poly_fence"][idx, s] = pid
            a["poly_inside"][idx, s] = inside0
        for s, c in enumerate(circles):
            a["c_kind"][idx, s] = KindCode.of(c.kind)
            a["c_lat"][idx, s] = c.lat_wgs84
            a["c_lon"][idx, s] = c.lon_wgs84
            a["c_radius"][idx, s] = c.radius_m
            a["c_wstart"][idx, s] = c.window.start_minute if c.window else NO_WINDOW
            a["c_wend"][idx, s] = c.window.end_minute if c.window else NO_WINDOW
            a["c_inside"][idx, s] = c.kind.must_be_inside
        if circles:
            self.circle_keys[idx] = [c.key for c in circles]
        else:
            self.circle_keys.pop(idx, None)

    def set_fences_bulk(
        self,
        device_ids: Sequence[str],
        supervisee_ids: Sequence[str],
        poly_ids: NDArray[np.int32],
        poly_inside0: NDArray[np.bool_],
        circles: dict[str, NDArray[Any]],
        now: float,
    ) -> NDArray[np.intp]:
        """Vectorised registration of many devices (province-scale loads, the benchmark).

        `circles` holds (n, C) arrays named like the circle columns: c_kind, c_lat, c_lon, c_radius,
        c_wstart, c_wend. Circle keys default to "circle:<device>:<slot>".
        """
        idx = np.fromiter(
            (self.slot_of(d, s) for d, s in zip(device_ids, supervisee_ids, strict=True)),
            dtype=np.intp,
            count=len(device_ids),
        )
        self._ensure_slots(poly_ids.shape[1], circles["c_kind"].shape[1])
        a = self.arrays
        a["registered"][idx] = True
        a["registered_at"][idx] = now
        a["offline"][idx] = False
        for name, (_dtype, fill) in (_POLY_COLUMNS | _CIRCLE_COLUMNS).items():
            a[name][idx, :] = fill
        a["poly_fence"][idx, : poly_ids.shape[1]] = poly_ids
        a["poly_inside"][idx, : poly_ids.shape[1]] = poly_inside0
        c = circles["c_kind"].shape[1]
        for name in ("c_kind", "c_lat", "c_lon", "c_radius", "c_wstart", "c_wend"):
            a[name][idx, :c] = circles[name]
        a["c_inside"][idx, :c] = (circles["c_kind"] != KindCode.EXCLUSION_ZONE) & (circles["c_kind"] != 0)
        for i in idx.tolist():
            self.circle_keys.pop(i, None)
        return idx

    def unregister(self, device_id: str) -> bool:
        idx = self.index.get(device_id)
        if idx is None:
            return False
        self.arrays["registered"][idx] = False
        return True

    def circle_key(self, idx: int, slot: int) -> str:
        keys = self.circle_keys.get(idx)
        if keys is not None and slot < len(keys):
            return keys[slot]
        return f"circle:{self.device_ids[idx]}:{slot}"

    # -- snapshot -------------------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        n = len(self.device_ids)
        return {
            "device_ids": list(self.device_ids),
            "supervisee_ids": list(self.supervisee_ids),
            "circle_keys": {k: list(v) for k, v in self.circle_keys.items()},
            "arrays": {name: arr[:n].copy() for name, arr in self.arrays.items()},
        }

    @classmethod
    def from_snapshot(cls, snap: dict[str, Any]) -> DeviceTable:
        arrays = snap["arrays"]
        n = len(snap["device_ids"])
        table = cls(
            capacity=max(n, 1),
            poly_slots=arrays["poly_fence"].shape[1],
            circle_slots=arrays["c_kind"].shape[1],
        )
        for name, arr in arrays.items():
            table.arrays[name][:n] = arr
        table.device_ids = list(snap["device_ids"])
        table.supervisee_ids = list(snap["supervisee_ids"])
        table.index = {d: i for i, d in enumerate(table.device_ids)}
        table.circle_keys = {int(k): list(v) for k, v in snap["circle_keys"].items()}
        return table

"""The engine's internal batch form: only the columns the checks need, plus the device number.

A `FixBatch` (the public form) carries every field and the device id strings. The engine's hot path
needs five numbers per fix and a dense device number; building the rest (speed, bearing, altitude,
device id strings) costs as much again, and is only needed for the positions that get stored. So
the fast MQTT path decodes into `Columns` and keeps the decoded structs to build the other fields
lazily, for the accepted fixes only (`BatchResult.accepted`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import attrgetter, itemgetter

import msgspec
import numpy as np
from numpy.typing import NDArray

from .fixes import DecodeError, FixBatch
from .mqtt_json import PositionMessage, _decode_one_by_one, _many, decode_mqtt_batch
from .parsing import MS_THRESHOLD, parse_timestamp

_GET = {name: attrgetter(name) for name in ("ts", "lat", "lon", "accuracy", "battery", "device_id")}
_EXTRA_FIELDS = ("speed", "bearing", "altitude")
_FIRST, _SECOND = itemgetter(0), itemgetter(1)


@dataclass(slots=True)
class Columns:
    dev: NDArray[np.intp]  # device number in the DeviceTable, -1 = not registered
    ts: NDArray[np.float64]
    lat: NDArray[np.float64]
    lon: NDArray[np.float64]
    accuracy: NDArray[np.float64]
    battery: NDArray[np.float64]
    valid: NDArray[np.bool_]
    # Where speed/bearing/altitude come from: an (n, 3) array, or the decoded structs (lazily).
    extras: NDArray[np.float64] | None = None
    structs: list[PositionMessage] | None = None
    rows: NDArray[np.intp] | None = None  # row of each fix in `structs` (None: the same order)

    def __len__(self) -> int:
        return int(self.dev.size)

    @classmethod
    def from_batch(cls, batch: FixBatch, dev: NDArray[np.intp]) -> Columns:
        return cls(
            dev=dev,
            ts=batch.ts,
            lat=batch.lat_wgs84,
            lon=batch.lon_wgs84,
            accuracy=batch.accuracy_m,
            battery=batch.battery_pct,
            valid=batch.valid,
            extras=np.column_stack([batch.speed_mps, batch.bearing_deg, batch.altitude_m]),
        )

    def _extras(self, idx: NDArray[np.intp]) -> NDArray[np.float64]:
        if self.extras is not None:
            return self.extras[idx]
        structs = self.structs or []
        rows = idx if self.rows is None else self.rows[idx]
        picked = [structs[i] for i in rows.tolist()]
        out = np.empty((len(picked), 3))
        for k, name in enumerate(_EXTRA_FIELDS):
            out[:, k] = np.fromiter(map(attrgetter(name), picked), dtype=np.float64, count=len(picked))
        return out

    def take(self, idx: NDArray[np.intp]) -> Columns:
        return Columns(
            dev=self.dev[idx],
            ts=self.ts[idx],
            lat=self.lat[idx],
            lon=self.lon[idx],
            accuracy=self.accuracy[idx],
            battery=self.battery[idx],
            valid=self.valid[idx],
            extras=None if self.extras is None else self.extras[idx],
            structs=self.structs,
            rows=None if self.structs is None else (idx if self.rows is None else self.rows[idx]),
        )

    def to_batch(self, idx: NDArray[np.intp], device_ids: Sequence[str]) -> FixBatch:
        """The public FixBatch of rows `idx` (device ids from the table's list)."""
        extras = self._extras(idx)
        return FixBatch(
            device_id=[device_ids[i] for i in self.dev[idx].tolist()],
            ts=self.ts[idx],
            lat_wgs84=self.lat[idx],
            lon_wgs84=self.lon[idx],
            speed_mps=extras[:, 0],
            bearing_deg=extras[:, 1],
            altitude_m=extras[:, 2],
            accuracy_m=self.accuracy[idx],
            battery_pct=self.battery[idx],
            valid=self.valid[idx],
        )

    @staticmethod
    def concat(parts: Sequence[Columns]) -> Columns:
        if len(parts) == 1:
            return parts[0]
        everything = [np.arange(len(p)) for p in parts]
        return Columns(
            dev=np.concatenate([p.dev for p in parts]),
            ts=np.concatenate([p.ts for p in parts]),
            lat=np.concatenate([p.lat for p in parts]),
            lon=np.concatenate([p.lon for p in parts]),
            accuracy=np.concatenate([p.accuracy for p in parts]),
            battery=np.concatenate([p.battery for p in parts]),
            valid=np.concatenate([p.valid for p in parts]),
            extras=np.concatenate([p._extras(i) for p, i in zip(parts, everything, strict=True)]),
        )


def decode_payloads(
    payloads: Sequence[bytes], dev: NDArray[np.intp], topics: Sequence[str], index: NDArray[np.intp]
) -> tuple[Columns, NDArray[np.intp], list[tuple[int, DecodeError]]]:
    """Decode MQTT JSON payloads of known topics into Columns (one msgspec call for the batch).

    `dev` is each message's device number, `topics` its topic (to check a claimed `device_id`
    against), `index` its position in the consumer's batch (for error reports). Returns the
    columns of the good messages, their positions in the batch, and the errors.
    """
    errors: list[tuple[int, DecodeError]] = []
    try:
        decoded: list[PositionMessage] = _many.decode(b"[" + b",".join(payloads) + b"]")
    except msgspec.DecodeError:  # some payload is malformed: only those messages are rejected
        local: list[tuple[int, DecodeError]] = []
        positions = list(range(len(payloads)))
        decoded, _ids, good = _decode_one_by_one(list(payloads), [None] * len(payloads), positions, local)
        errors.extend((int(index[i]), exc) for i, exc in local)
        keep = np.asarray(good, dtype=np.intp)
        dev, index = dev[keep], index[keep]
        topics = [topics[k] for k in good]
    n = len(decoded)
    if n == 0:
        return _empty(), np.zeros(0, dtype=np.intp), errors
    ok = np.ones(n, dtype=np.bool_)
    try:  # numeric timestamps (the norm); ISO strings are parsed one by one
        ts = np.fromiter(map(_GET["ts"], decoded), dtype=np.float64, count=n)
        ts = np.where(ts > MS_THRESHOLD, ts / 1000.0, ts)
    except (TypeError, ValueError):
        ts = np.empty(n, dtype=np.float64)
        for j, value in enumerate(map(_GET["ts"], decoded)):
            try:
                ts[j] = parse_timestamp(value, "ts")
            except DecodeError as exc:
                ok[j] = False
                errors.append((int(index[j]), exc))
    if set(map(_GET["device_id"], decoded)) != {None}:  # some payload names its device: check it
        from .mqtt_json import device_id_from_topic

        for j, claim in enumerate(map(_GET["device_id"], decoded)):
            if claim is not None and claim != device_id_from_topic(topics[j]):
                ok[j] = False
                errors.append(
                    (int(index[j]), DecodeError("device_id", "does not match the topic's device id"))
                )

    def col(name: str) -> NDArray[np.float64]:
        return np.fromiter(map(_GET[name], decoded), dtype=np.float64, count=n)  # None → NaN

    cols = Columns(
        dev=dev,
        ts=ts,
        lat=col("lat"),
        lon=col("lon"),
        accuracy=col("accuracy"),
        battery=col("battery"),
        valid=np.ones(n, dtype=np.bool_),
        structs=decoded,
    )
    if not ok.all():
        keep_idx = np.flatnonzero(ok)
        cols, index = cols.take(keep_idx), index[keep_idx]
    return cols, index, errors


def _empty() -> Columns:
    z = np.zeros(0)
    return Columns(
        dev=np.zeros(0, dtype=np.intp),
        ts=z,
        lat=z,
        lon=z,
        accuracy=z,
        battery=z,
        valid=np.zeros(0, dtype=np.bool_),
        extras=np.zeros((0, 3)),
    )


def decode_messages(
    messages: Sequence[tuple[str, bytes]],
    topic_numbers: Callable[[Sequence[str]], NDArray[np.intp]],
    numbers_of: Callable[[Sequence[str]], NDArray[np.intp]],
) -> tuple[Columns, list[tuple[int, DecodeError]]]:
    """MQTT (topic, payload) messages → Columns, device numbers from the engine's lookups
    (`topic_numbers`: vectorised by topic; `numbers_of`: exact, by device id)."""
    n = len(messages)
    if n == 0:
        return Columns.from_batch(FixBatch.empty(), np.zeros(0, dtype=np.intp)), []
    topics = list(map(_FIRST, messages))
    payloads = list(map(_SECOND, messages))
    dev = topic_numbers(topics)
    hit = dev >= 0
    if hit.all():  # the normal case: every topic is a registered device's canonical topic
        cols, _index, all_errors = decode_payloads(payloads, dev, topics, np.arange(n, dtype=np.intp))
        return cols, all_errors
    # Unknown or unusual topics take the exact path (device id parsed from the topic).
    parts: list[Columns] = []
    order: list[NDArray[np.intp]] = []
    errors: list[tuple[int, DecodeError]] = []
    hit_idx = np.flatnonzero(hit)
    if hit_idx.size:
        sel = hit_idx.tolist()
        cols, good, errors = decode_payloads(
            [payloads[i] for i in sel], dev[hit_idx], [topics[i] for i in sel], hit_idx
        )
        parts.append(cols)
        order.append(good)
    miss_idx = np.flatnonzero(~hit)
    batch, good_local, miss_errors = decode_mqtt_batch([messages[i] for i in miss_idx.tolist()])
    errors.extend((int(miss_idx[i]), exc) for i, exc in miss_errors)
    parts.append(Columns.from_batch(batch, numbers_of(batch.device_id)))
    order.append(miss_idx[good_local])
    merged = Columns.concat(parts)
    arrival = np.argsort(np.concatenate(order), kind="stable")  # back to arrival order
    errors.sort(key=lambda e: e[0])
    return merged.take(arrival), errors

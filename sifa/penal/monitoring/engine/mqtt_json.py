"""Sifa's MQTT JSON position format (schema v1), decoded in batches.

Topic: ``sifa/devices/<device_id>/position`` (QoS 1). Payload, one JSON object per message::

    {"ts": 1763879400.5,        # required: epoch seconds (float), epoch ms, or ISO 8601
     "lat": 28.6820,            # required: WGS-84 degrees
     "lon": 115.8579,           # required: WGS-84 degrees
     "speed": 1.2,              # optional: m/s
     "bearing": 270.0,          # optional: degrees clockwise from north
     "altitude": 31.0,          # optional: metres
     "accuracy": 8.0,           # optional: metres (horizontal, 68 %)
     "battery": 76.0,           # optional: percent 0..100
     "device_id": "..."}        # optional; if present it must equal the topic's device id

Unknown keys are ignored (forward compatible). The device id is taken from the topic so that a
broker ACL (`pattern readwrite sifa/devices/%u/#`) binds a device's credentials to its own id.

Batch decoding joins the payloads into one JSON array and lets msgspec decode it in a single call
into typed structs, which is several times faster than json.loads per message; if any payload is
malformed the batch falls back to one-by-one decoding so that only the bad messages are rejected.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import msgspec
import numpy as np

from .fixes import DecodeError, Fix, FixBatch
from .parsing import MS_THRESHOLD, parse_device_id, parse_timestamp

TOPIC_PREFIX = "sifa/devices/"
TOPIC_SUFFIX = "/position"
SUBSCRIPTION = "sifa/devices/+/position"
SCHEMA_VERSION = 1


class PositionMessage(msgspec.Struct, gc=False):
    lat: float
    lon: float
    ts: float | str
    speed: float | None = None
    bearing: float | None = None
    altitude: float | None = None
    accuracy: float | None = None
    battery: float | None = None
    device_id: str | None = None


_one = msgspec.json.Decoder(PositionMessage)
_many = msgspec.json.Decoder(list[PositionMessage])
_encoder = msgspec.json.Encoder()
_FIELD_RE = re.compile(r"`\$(?:\[\d+\])?\.?([A-Za-z_]*)`|field `([A-Za-z_]+)`")
_topic_cache: dict[str, str] = {}
_TOPIC_CACHE_MAX = 2_000_000


def topic_for(device_id: str) -> str:
    return f"{TOPIC_PREFIX}{device_id}{TOPIC_SUFFIX}"


def device_id_from_topic(topic: str) -> str:
    cached = _topic_cache.get(topic)
    if cached is not None:
        return cached
    if not (topic.startswith(TOPIC_PREFIX) and topic.endswith(TOPIC_SUFFIX)):
        raise DecodeError("topic", f"expected {TOPIC_PREFIX}<device_id>{TOPIC_SUFFIX}")
    device_id = parse_device_id(topic[len(TOPIC_PREFIX) : -len(TOPIC_SUFFIX)], "topic")
    if len(_topic_cache) >= _TOPIC_CACHE_MAX:
        _topic_cache.clear()
    _topic_cache[topic] = device_id
    return device_id


def encode_position(fix: Fix) -> bytes:
    """The payload a device (or the simulator) publishes for `fix`."""
    doc: dict[str, float | str] = {
        "ts": round(float(fix.ts), 3),
        "lat": float(fix.lat_wgs84),
        "lon": float(fix.lon_wgs84),
    }
    for key, value in (
        ("speed", fix.speed_mps),
        ("bearing", fix.bearing_deg),
        ("altitude", fix.altitude_m),
        ("accuracy", fix.accuracy_m),
        ("battery", fix.battery_pct),
    ):
        if value is not None:
            doc[key] = value
    return _encoder.encode(doc)


def _field_of(exc: msgspec.DecodeError) -> str:
    text = str(exc)
    match = _FIELD_RE.search(text)
    if match:
        return match.group(1) or match.group(2) or "payload"
    return "payload"


def decode_mqtt_message(topic: str, payload: bytes) -> Fix:
    """Decode one message; raises DecodeError naming the field."""
    device_id = device_id_from_topic(topic)
    try:
        msg = _one.decode(payload)
    except msgspec.DecodeError as exc:
        raise DecodeError(_field_of(exc), str(exc)) from None
    return _to_fix(device_id, msg)


def _to_fix(device_id: str, msg: PositionMessage) -> Fix:
    if msg.device_id is not None and msg.device_id != device_id:
        raise DecodeError("device_id", "does not match the topic's device id")
    return Fix(
        device_id=device_id,
        ts=parse_timestamp(msg.ts, "ts"),
        lat_wgs84=msg.lat,
        lon_wgs84=msg.lon,
        speed_mps=msg.speed,
        bearing_deg=msg.bearing,
        altitude_m=msg.altitude,
        accuracy_m=msg.accuracy,
        battery_pct=msg.battery,
    )


def _col(values: list[float | None], n: int) -> np.ndarray:
    """A float column; None (field absent) becomes NaN."""
    missing = values.count(None)
    if missing == n:
        return np.full(n, np.nan)
    if missing:
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    return np.fromiter(values, dtype=np.float64, count=n)


def decode_mqtt_batch(
    messages: Sequence[tuple[str, bytes]],
) -> tuple[FixBatch, np.ndarray, list[tuple[int, DecodeError]]]:
    """Decode many (topic, payload) messages.

    Returns the batch of good fixes, the index of each good fix in `messages`, and the rejected
    messages as (index, DecodeError).
    """
    errors: list[tuple[int, DecodeError]] = []
    cache_get = _topic_cache.get
    device_ids: list[str | None] = [cache_get(topic) for topic, _payload in messages]
    payloads = [payload for _topic, payload in messages]
    good_index: list[int] | None = None  # None: all messages are good so far
    if None in device_ids:
        good_index = []
        for i, (topic, _payload) in enumerate(messages):
            if device_ids[i] is None:
                try:
                    device_ids[i] = device_id_from_topic(topic)
                except DecodeError as exc:
                    errors.append((i, exc))
                    continue
            good_index.append(i)
        device_ids = [device_ids[i] for i in good_index]
        payloads = [payloads[i] for i in good_index]
    try:
        decoded: list[PositionMessage] = _many.decode(b"[" + b",".join(payloads) + b"]")
    except msgspec.DecodeError:
        if good_index is None:
            good_index = list(range(len(messages)))
        decoded, device_ids, good_index = _decode_one_by_one(payloads, device_ids, good_index, errors)
    n = len(decoded)
    index = np.arange(n, dtype=np.intp) if good_index is None else np.asarray(good_index, dtype=np.intp)
    if n == 0:
        errors.sort(key=lambda e: e[0])
        return FixBatch.empty(), np.zeros(0, dtype=np.intp), errors
    ts_ok = np.ones(n, dtype=np.bool_)
    raw_ts = [m.ts for m in decoded]
    try:  # fast path: numeric timestamps; ISO strings are rare and parsed one by one
        ts = np.fromiter(raw_ts, dtype=np.float64, count=n)
        ts = np.where(ts > MS_THRESHOLD, ts / 1000.0, ts)
    except (TypeError, ValueError):
        ts = np.empty(n, dtype=np.float64)
        for j, value in enumerate(raw_ts):
            try:
                ts[j] = parse_timestamp(value, "ts")
            except DecodeError as exc:
                ts_ok[j] = False
                errors.append((int(index[j]), exc))
    claimed = [m.device_id for m in decoded]
    if claimed.count(None) != n:
        for j, claim in enumerate(claimed):
            if claim is not None and claim != device_ids[j]:
                ts_ok[j] = False
                errors.append(
                    (int(index[j]), DecodeError("device_id", "does not match the topic's device id"))
                )
    batch = FixBatch(
        device_id=device_ids,  # type: ignore[arg-type]  # no None left at this point
        ts=ts,
        lat_wgs84=np.fromiter([m.lat for m in decoded], dtype=np.float64, count=n),
        lon_wgs84=np.fromiter([m.lon for m in decoded], dtype=np.float64, count=n),
        speed_mps=_col([m.speed for m in decoded], n),
        bearing_deg=_col([m.bearing for m in decoded], n),
        altitude_m=_col([m.altitude for m in decoded], n),
        accuracy_m=_col([m.accuracy for m in decoded], n),
        battery_pct=_col([m.battery for m in decoded], n),
        valid=np.ones(n, dtype=np.bool_),
    )
    if not ts_ok.all():
        batch = batch.take(ts_ok)
        index = index[ts_ok]
    errors.sort(key=lambda e: e[0])
    return batch, index, errors


def _decode_one_by_one(
    payloads: list[bytes],
    device_ids: list[str | None],
    good_index: list[int],
    errors: list[tuple[int, DecodeError]],
) -> tuple[list[PositionMessage], list[str | None], list[int]]:
    decoded: list[PositionMessage] = []
    ids: list[str | None] = []
    index: list[int] = []
    for payload, device_id, i in zip(payloads, device_ids, good_index, strict=True):
        try:
            decoded.append(_one.decode(payload))
        except msgspec.DecodeError as exc:
            errors.append((i, DecodeError(_field_of(exc), str(exc))))
            continue
        ids.append(device_id)
        index.append(i)
    return decoded, ids, index

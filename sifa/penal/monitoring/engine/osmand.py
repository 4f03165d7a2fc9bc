"""OsmAnd HTTP protocol decoder (the protocol Traccar Client apps speak).

Two formats reach the same endpoint (https://www.traccar.org/osmand/):

* Query or form parameters, any HTTP method: ``id`` (or ``deviceid``), ``lat`` + ``lon`` (or
  ``location=lat,lon``), ``timestamp`` (Unix seconds or milliseconds, ISO 8601, or
  ``yyyy-MM-dd HH:mm:ss``), ``speed`` (knots by Traccar's convention), ``bearing``/``heading``
  (degrees), ``altitude`` (m), ``accuracy`` (m), ``hdop``, ``batt`` (percent), ``charge``,
  ``valid``. Older OsmAnd builds send only lat/lon/timestamp/hdop/altitude/speed.
* JSON body (Traccar Client ≥ 9, the background-geolocation SDK's native shape)::

    {"location": {"timestamp": "2025-01-01T00:00:00.000Z",
                  "coords": {"latitude": .., "longitude": .., "accuracy": .., "speed": .. (m/s),
                             "heading": .., "altitude": ..},
                  "is_moving": false, "odometer": 0, "event": "motionchange",
                  "battery": {"level": 0.8 (0..1), "is_charging": false},
                  "activity": {"type": "still"}, "extras": {}},
     "device_id": "48241179"}

  The SDK's batch mode sends ``"location": [ {...}, {...} ]``; both are accepted. iOS reports
  ``-1`` for an unknown speed, heading or battery level; those become "missing".

Positions are WGS-84 (GNSS/OS location APIs). Output speed is m/s in every case.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal
from urllib.parse import parse_qsl

import msgspec

from .fixes import DecodeError, Fix
from .parsing import parse_bool, parse_device_id, parse_number, parse_optional_number, parse_timestamp

SpeedUnit = Literal["kn", "mps", "kmh"]
_SPEED_TO_MPS: dict[str, float] = {"kn": 1852.0 / 3600.0, "mps": 1.0, "kmh": 1000.0 / 3600.0}
MAX_BODY_BYTES = 256 * 1024
MAX_LOCATIONS_PER_REQUEST = 1000


def decode_osmand_request(
    *,
    query: str | bytes = "",
    body: bytes = b"",
    content_type: str = "",
    received_at: float,
    speed_unit: SpeedUnit = "kn",
) -> list[Fix]:
    """Decode one OsmAnd HTTP request into fixes (one for parameters, one or more for JSON).

    `received_at` (epoch seconds) stands in for a missing timestamp, as Traccar does.
    `speed_unit` applies to the parameter format only; JSON speed is always m/s.
    """
    if len(body) > MAX_BODY_BYTES:
        raise DecodeError("body", f"larger than {MAX_BODY_BYTES} bytes")
    stripped = body.lstrip()
    if stripped[:1] in (b"{", b"[") or "json" in content_type.lower():
        return decode_osmand_json(body, received_at=received_at)
    params: dict[str, str] = {}
    query_text = query.decode("utf-8", "replace") if isinstance(query, bytes) else query
    params.update(parse_qsl(query_text.lstrip("?"), keep_blank_values=True))
    if body:
        # Form-encoded POST: the body carries the same parameters; body values win.
        params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    return [decode_osmand_params(params, received_at=received_at, speed_unit=speed_unit)]


def decode_osmand_params(
    params: Mapping[str, str], *, received_at: float, speed_unit: SpeedUnit = "kn"
) -> Fix:
    device_id = parse_device_id(params.get("id") or params.get("deviceid"), "id")
    if params.get("lat") not in (None, "") and params.get("lon") not in (None, ""):
        lat = parse_number(params["lat"], "lat")
        lon = parse_number(params["lon"], "lon")
    elif params.get("location"):
        parts = params["location"].split(",")
        if len(parts) != 2:
            raise DecodeError("location", "expected 'latitude,longitude'")
        lat = parse_number(parts[0], "location")
        lon = parse_number(parts[1], "location")
    else:
        raise DecodeError("lat" if not params.get("lat") else "lon", "missing")
    raw_ts = params.get("timestamp")
    ts = parse_timestamp(raw_ts, "timestamp") if raw_ts not in (None, "") else received_at
    speed = parse_optional_number(params.get("speed"), "speed")
    bearing = parse_optional_number(params.get("bearing", params.get("heading")), "bearing")
    valid = parse_bool(params["valid"], "valid") if params.get("valid") else True
    return Fix(
        device_id=device_id,
        ts=ts,
        lat_wgs84=lat,
        lon_wgs84=lon,
        speed_mps=None if speed is None else speed * _SPEED_TO_MPS[speed_unit],
        bearing_deg=bearing,
        altitude_m=parse_optional_number(params.get("altitude"), "altitude"),
        accuracy_m=parse_optional_number(params.get("accuracy"), "accuracy"),
        battery_pct=parse_optional_number(params.get("batt"), "batt"),
        valid=valid,
    )


def decode_osmand_json(body: bytes, *, received_at: float) -> list[Fix]:
    try:
        doc = msgspec.json.decode(body)
    except msgspec.DecodeError as exc:
        raise DecodeError("body", f"invalid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise DecodeError("body", "expected a JSON object")
    device_id = parse_device_id(doc.get("device_id"), "device_id")
    location = doc.get("location")
    if isinstance(location, dict):
        locations: list[Any] = [location]
    elif isinstance(location, list) and location:
        if len(location) > MAX_LOCATIONS_PER_REQUEST:
            raise DecodeError("location", f"more than {MAX_LOCATIONS_PER_REQUEST} locations")
        locations = location
    else:
        raise DecodeError("location", "missing")
    return [
        _decode_json_location(
            loc, device_id, received_at, f"location[{i}]" if len(locations) > 1 else "location"
        )
        for i, loc in enumerate(locations)
    ]


def _decode_json_location(loc: object, device_id: str, received_at: float, path: str) -> Fix:
    if not isinstance(loc, dict):
        raise DecodeError(path, "expected an object")
    coords = loc.get("coords")
    if not isinstance(coords, dict):
        raise DecodeError(f"{path}.coords", "missing")
    if coords.get("latitude") is None:
        raise DecodeError(f"{path}.coords.latitude", "missing")
    if coords.get("longitude") is None:
        raise DecodeError(f"{path}.coords.longitude", "missing")
    raw_ts = loc.get("timestamp")
    battery_doc = loc.get("battery")
    battery: dict[str, Any] = battery_doc if isinstance(battery_doc, dict) else {}
    level = parse_optional_number(battery.get("level"), f"{path}.battery.level", unknown=-1.0)
    return Fix(
        device_id=device_id,
        ts=parse_timestamp(raw_ts, f"{path}.timestamp") if raw_ts not in (None, "") else received_at,
        lat_wgs84=parse_number(coords["latitude"], f"{path}.coords.latitude"),
        lon_wgs84=parse_number(coords["longitude"], f"{path}.coords.longitude"),
        speed_mps=parse_optional_number(coords.get("speed"), f"{path}.coords.speed", unknown=-1.0),
        bearing_deg=parse_optional_number(coords.get("heading"), f"{path}.coords.heading", unknown=-1.0),
        altitude_m=parse_optional_number(coords.get("altitude"), f"{path}.coords.altitude"),
        accuracy_m=parse_optional_number(coords.get("accuracy"), f"{path}.coords.accuracy", unknown=-1.0),
        battery_pct=None if level is None else level * 100.0,
    )

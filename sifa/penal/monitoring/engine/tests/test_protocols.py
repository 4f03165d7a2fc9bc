"""Device protocol decoders: messages written from the protocols' documentation, incl. the variants
real clients send (Traccar OsmAnd page https://www.traccar.org/osmand/, Traccar Client apps)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from sifa.penal.monitoring.engine.fixes import DecodeError, Fix
from sifa.penal.monitoring.engine.mqtt_json import (
    decode_mqtt_batch,
    decode_mqtt_message,
    encode_position,
    topic_for,
)
from sifa.penal.monitoring.engine.osmand import decode_osmand_request

RECEIVED = datetime(2026, 11, 23, 6, 0, tzinfo=UTC).timestamp()
KNOT = 1852 / 3600


def one(**kwargs: object) -> Fix:
    fixes = decode_osmand_request(received_at=RECEIVED, **kwargs)  # type: ignore[arg-type]
    assert len(fixes) == 1
    return fixes[0]


def test_osmand_documented_example_query() -> None:
    # The example on the Traccar OsmAnd page: id, lat, lon, timestamp, hdop, altitude, speed (knots).
    fix = one(query="id=123456&lat=28.6820&lon=115.8579&timestamp=1763877600&hdop=1.2&altitude=31&speed=10")
    assert fix.device_id == "123456"
    assert (fix.lat_wgs84, fix.lon_wgs84) == (28.682, 115.8579)
    assert fix.ts == 1763877600
    assert fix.altitude_m == 31
    assert fix.speed_mps == pytest.approx(10 * KNOT)
    assert fix.accuracy_m is None  # hdop is unitless; it is not turned into metres


def test_traccar_client_android_query_with_all_fields() -> None:
    # Traccar Client (Android, query format) sends id, timestamp, lat, lon, speed, bearing,
    # altitude, accuracy, batt.
    q = (
        "?id=867530012345678&timestamp=1763877600&lat=28.68&lon=115.85&speed=1.5&bearing=270.0"
        "&altitude=30.5&accuracy=12.0&batt=76.0"
    )
    fix = one(query=q)
    assert fix.bearing_deg == 270.0
    assert fix.accuracy_m == 12.0
    assert fix.battery_pct == 76.0


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [
        ("1763877600", datetime(2025, 11, 23, 6, 0, tzinfo=UTC)),  # Unix seconds
        ("1763877600123", datetime(2025, 11, 23, 6, 0, 0, 123000, tzinfo=UTC)),  # milliseconds
        ("2025-11-23T06:00:00Z", datetime(2025, 11, 23, 6, 0, tzinfo=UTC)),  # ISO 8601
        ("2025-11-23T14:00:00%2B08:00", datetime(2025, 11, 23, 6, 0, tzinfo=UTC)),  # offset, encoded
        ("2025-11-23T14:00:00+08:00", datetime(2025, 11, 23, 6, 0, tzinfo=UTC)),  # '+' became ' '
        ("2025-11-23%2006:00:00", datetime(2025, 11, 23, 6, 0, tzinfo=UTC)),  # yyyy-MM-dd HH:mm:ss, UTC
    ],
)
def test_osmand_timestamp_variants(stamp: str, expected: datetime) -> None:
    fix = one(query=f"id=a1&lat=28.6&lon=115.8&timestamp={stamp}")
    assert fix.ts_utc == expected


def test_osmand_missing_timestamp_uses_receive_time_and_optional_fields_are_none() -> None:
    fix = one(query="deviceid=a1&lat=28.6&lon=115.8")
    assert fix.ts == RECEIVED
    assert fix.speed_mps is None and fix.battery_pct is None and fix.bearing_deg is None


def test_osmand_location_pair_heading_and_valid_flag() -> None:
    fix = one(query="id=a1&location=28.6,115.8&heading=90&valid=false")
    assert (fix.lat_wgs84, fix.lon_wgs84, fix.bearing_deg) == (28.6, 115.8, 90.0)
    assert fix.valid is False


def test_osmand_comma_decimal_from_localised_clients() -> None:
    fix = one(query="id=a1&lat=28,6820&lon=115,8579&accuracy=7,5")
    assert (fix.lat_wgs84, fix.lon_wgs84, fix.accuracy_m) == (28.682, 115.8579, 7.5)


def test_osmand_form_post_body() -> None:
    fix = one(
        body=b"id=a1&lat=28.6&lon=115.8&timestamp=1763877600",
        content_type="application/x-www-form-urlencoded",
    )
    assert fix.device_id == "a1" and fix.ts == 1763877600


def test_osmand_speed_unit_is_configurable() -> None:
    fixes = decode_osmand_request(
        query="id=a1&lat=28.6&lon=115.8&speed=36", received_at=RECEIVED, speed_unit="kmh"
    )
    assert fixes[0].speed_mps == pytest.approx(10.0)


TRACCAR_JSON = {
    "location": {
        "timestamp": "2025-11-23T06:00:00.000Z",
        "coords": {
            "latitude": 28.682,
            "longitude": 115.8579,
            "accuracy": 9,
            "speed": 1.2,
            "heading": 180,
            "altitude": 31,
        },
        "is_moving": True,
        "odometer": 1200,
        "event": "motionchange",
        "battery": {"level": 0.8, "is_charging": False},
        "activity": {"type": "walking"},
        "extras": {},
    },
    "device_id": "48241179",
}


def test_traccar_client_json_body() -> None:
    fix = one(body=json.dumps(TRACCAR_JSON).encode(), content_type="application/json")
    assert fix.device_id == "48241179"
    assert fix.ts_utc == datetime(2025, 11, 23, 6, 0, tzinfo=UTC)
    assert fix.speed_mps == 1.2  # m/s in JSON, no knots conversion
    assert fix.bearing_deg == 180
    assert fix.battery_pct == pytest.approx(80.0)


def test_traccar_json_ios_unknown_values_and_missing_optionals() -> None:
    doc = {
        "location": {
            "timestamp": "2025-11-23T06:00:00Z",
            "coords": {"latitude": 28.6, "longitude": 115.8, "speed": -1, "heading": -1},
            "battery": {"level": -1},
        },
        "device_id": 48241179,
    }
    fix = one(body=json.dumps(doc).encode())  # no content type: sniffed from the body
    assert fix.speed_mps is None and fix.bearing_deg is None and fix.battery_pct is None
    assert fix.device_id == "48241179"  # numeric ids are accepted as text


def test_traccar_json_batch_sync_array() -> None:
    loc2 = dict(TRACCAR_JSON["location"], timestamp="2025-11-23T06:01:00Z")  # type: ignore[arg-type]
    doc = {"location": [TRACCAR_JSON["location"], loc2], "device_id": "48241179"}
    fixes = decode_osmand_request(body=json.dumps(doc).encode(), received_at=RECEIVED)
    assert [f.ts - fixes[0].ts for f in fixes] == [0, 60]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"query": "lat=28.6&lon=115.8"}, "id"),
        ({"query": "id=a1&lon=115.8"}, "lat"),
        ({"query": "id=a1&lat=north&lon=115.8"}, "lat"),
        ({"query": "id=a1&lat=28.6&lon=115.8&timestamp=yesterday"}, "timestamp"),
        ({"query": "id=a1&lat=28.6&lon=115.8&speed=fast"}, "speed"),
        ({"query": "id=a1&lat=nan&lon=115.8"}, "lat"),
        ({"query": "id=a b&lat=28.6&lon=115.8"}, "id"),
        (
            {"body": b'{"device_id": "x", "location": {"coords": {"longitude": 1}}}'},
            "location.coords.latitude",
        ),
        ({"body": b'{"device_id": "x"}'}, "location"),
        ({"body": b'{"location": {}}'}, "device_id"),
        ({"body": b'{"device_id": "x", "location": '}, "body"),
    ],
)
def test_malformed_osmand_names_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(DecodeError) as info:
        decode_osmand_request(received_at=RECEIVED, **kwargs)  # type: ignore[arg-type]
    assert info.value.field == field


# -- MQTT JSON (schema v1, docs/monitoring-engine.md) -------------------------------------------------


def test_mqtt_message_full_and_minimal() -> None:
    topic = topic_for("wb-0001")
    full = decode_mqtt_message(
        topic,
        b'{"ts": 1763877600.5, "lat": 28.68, "lon": 115.85, "speed": 1.1, '
        b'"bearing": 10, "altitude": 30, "accuracy": 6, "battery": 55}',
    )
    assert full.device_id == "wb-0001" and full.ts == 1763877600.5 and full.battery_pct == 55
    minimal = decode_mqtt_message(topic, b'{"ts": "2025-11-23T06:00:00Z", "lat": 28.68, "lon": 115.85}')
    assert minimal.ts == 1763877600 and minimal.accuracy_m is None


def test_mqtt_encode_decode_round_trip() -> None:
    fix = decode_mqtt_message(
        topic_for("d9"), b'{"ts": 1763877600000, "lat": 28.68, "lon": 115.85, "battery": 9}'
    )
    assert fix.ts == 1763877600  # milliseconds recognised
    again = decode_mqtt_message(topic_for("d9"), encode_position(fix))
    assert again == fix


def test_mqtt_batch_rejects_only_the_bad_messages_and_names_fields() -> None:
    good = b'{"ts": 1763877600, "lat": 28.68, "lon": 115.85}'
    messages = [
        (topic_for("a"), good),
        (topic_for("b"), b'{"ts": 1763877600, "lat": "28.68", "lon": 115.85}'),
        ("other/topic", good),
        (topic_for("c"), b'{"ts": 1763877600, "lon": 115.85}'),
        (topic_for("d"), b'{"ts": "soon", "lat": 28.68, "lon": 115.85}'),
        (topic_for("e"), b'{"ts": 1763877600, "lat": 28.68, "lon": 115.85, "device_id": "zzz"}'),
        (topic_for("f"), b"not json"),
        (topic_for("g"), good),
    ]
    batch, index, errors = decode_mqtt_batch(messages)
    assert batch.device_id == ["a", "g"]
    assert index.tolist() == [0, 7]
    assert [(i, e.field) for i, e in errors] == [
        (1, "lat"),
        (2, "topic"),
        (3, "lat"),
        (4, "ts"),
        (5, "device_id"),
        (6, "payload"),
    ]

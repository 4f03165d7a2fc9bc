"""Framework-free electronic monitoring engine (电子定位): no Django imports here.

Device protocols (OsmAnd HTTP, MQTT JSON) → bad-fix filter → geofences (county outlines,
exclusion zones, curfew windows) → hysteresis → idempotent events → a sink the platform provides.
See docs/monitoring-engine.md.
"""

from .coords import gcj02_to_wgs84, out_of_china, wgs84_to_gcj02
from .events import ALERT_TYPES, Event, EventSink, EventType, ListSink, idempotency_key
from .fences import CircleFence, FenceKind, PolygonFence, TimeWindow
from .filters import FilterConfig, Reject
from .fixes import DecodeError, Fix, FixBatch
from .hysteresis import HysteresisConfig
from .mqtt_json import decode_mqtt_batch, decode_mqtt_message, encode_position, topic_for
from .osmand import decode_osmand_request
from .pipeline import BatchResult, Engine, EngineConfig, UnknownFence

__all__ = [
    "ALERT_TYPES",
    "BatchResult",
    "CircleFence",
    "DecodeError",
    "Engine",
    "EngineConfig",
    "Event",
    "EventSink",
    "EventType",
    "FenceKind",
    "FilterConfig",
    "Fix",
    "FixBatch",
    "HysteresisConfig",
    "ListSink",
    "PolygonFence",
    "Reject",
    "TimeWindow",
    "UnknownFence",
    "decode_mqtt_batch",
    "decode_mqtt_message",
    "decode_osmand_request",
    "encode_position",
    "gcj02_to_wgs84",
    "idempotency_key",
    "out_of_china",
    "topic_for",
    "wgs84_to_gcj02",
]

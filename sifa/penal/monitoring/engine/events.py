"""Engine events and the sink interface the platform implements.

Every event has an idempotency key built only from facts in the input (device, event type, fence,
time of the fix that caused it), so reprocessing the same messages after a worker restart yields
the same keys and the sink's unique constraint drops the duplicates.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum


class EventType(StrEnum):
    ENTER = "enter"  # the supervisee is now inside the fence (after hysteresis)
    EXIT = "exit"  # ... now outside
    BREACH = "breach"  # the fence's rule is violated (越界): an alert
    BREACH_END = "breach_end"  # compliance restored
    OFFLINE = "offline"  # no usable position for the configured period (possible 脱管): an alert
    ONLINE = "online"  # positions again after OFFLINE
    LOW_BATTERY = "low_battery"  # an alert
    BATTERY_OK = "battery_ok"


ALERT_TYPES = frozenset({EventType.BREACH, EventType.OFFLINE, EventType.LOW_BATTERY})


def idempotency_key(device_id: str, event_type: EventType, fence_key: str, ts: float) -> str:
    """device|type|fence|fix time in ms — stable across restarts and replays."""
    return f"{device_id}|{event_type.value}|{fence_key}|{round(ts * 1000)}"


@dataclass(frozen=True, slots=True)
class Event:
    key: str
    event_type: EventType
    device_id: str
    supervisee_id: str
    ts: float  # epoch seconds of the fix (or of the last fix, for OFFLINE)
    fence_key: str = ""  # "" for device events
    fence_kind: str = ""
    lat_wgs84: float | None = None
    lon_wgs84: float | None = None
    detail: dict[str, float | str] = field(default_factory=dict)

    @property
    def is_alert(self) -> bool:
        return self.event_type in ALERT_TYPES

    @property
    def ts_utc(self) -> datetime:
        return datetime.fromtimestamp(self.ts, tz=UTC)


# The platform side implements this (e.g. writes alert rows with ON CONFLICT (key) DO NOTHING).
# It must be durable when it returns: the MQTT consumer acknowledges the messages only afterwards.
EventSink = Callable[[Sequence[Event]], None]


class ListSink:
    """An in-memory sink for tests and the simulator; drops duplicate keys like a unique index."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self._keys: set[str] = set()

    def __call__(self, events: Sequence[Event]) -> None:
        for event in events:
            if event.key not in self._keys:
                self._keys.add(event.key)
                self.events.append(event)

"""Simulated devices: drive N devices over MQTT (schema v1) or OsmAnd HTTP at a steady rate.

`sifa simulate devices --count N` wraps `run_simulation`. Positions come from a synthetic province
(real county outlines; see synthetic.py); each device reports every `interval_s` seconds, the
reports being spread evenly so the aggregate rate is steady.
"""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import msgspec
import numpy as np
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from .mqtt_json import topic_for
from .synthetic import Province, build_province

_encoder = msgspec.json.Encoder()


class MqttPublisher:
    """QoS 1 publisher for device simulators and the benchmark (MQTT 3.1.1, like most devices)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 1883,
        client_id: str = "sifa-simulator",
        max_inflight: int = 2000,
    ) -> None:
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=True)
        self.client.max_inflight_messages_set(max_inflight)
        self.client.max_queued_messages_set(0)
        self._connected = threading.Event()
        self.client.on_connect = lambda *_a: self._connected.set()
        self.client.on_disconnect = lambda *_a: self._connected.clear()
        self.host, self.port = host, port

    def start(self, wait_s: float = 10.0) -> None:
        self.client.connect_async(self.host, self.port, keepalive=30)
        self.client.loop_start()
        if not self._connected.wait(wait_s):
            self.client.loop_stop()
            raise ConnectionError(f"MQTT broker {self.host}:{self.port} not reachable")

    def publish(self, topic: str, payload: bytes) -> mqtt.MQTTMessageInfo:
        return self.client.publish(topic, payload, qos=1)

    def stop(self, flush_s: float = 10.0) -> None:
        deadline = time.time() + flush_s
        while self.client.want_write() and time.time() < deadline:
            time.sleep(0.01)
        self.client.disconnect()
        self.client.loop_stop()


def payload(ts: float, lat: float, lon: float, accuracy: float, battery: float, speed: float) -> bytes:
    return _encoder.encode(
        {
            "ts": round(ts, 3),
            "lat": lat,
            "lon": lon,
            "speed": speed,
            "accuracy": round(accuracy, 1),
            "battery": round(battery, 1),
        }
    )


@dataclass(slots=True)
class SimulationStats:
    sent: int = 0
    failed: int = 0
    seconds: float = 0.0


def run_simulation(
    count: int,
    *,
    transport: str = "mqtt",
    host: str = "127.0.0.1",
    port: int = 1883,
    url: str = "http://127.0.0.1:8000/api/monitoring/osmand/",
    interval_s: float = 60.0,
    duration_s: float = 60.0,
    province: Province | None = None,
    real_time_stamps: bool = True,
    rounds: int | None = None,
    on_progress: Callable[[SimulationStats], None] | None = None,
) -> SimulationStats:
    """Send positions of `count` simulated devices for `duration_s` seconds (or `rounds` rounds:
    one fix per device per round).

    transport "mqtt" publishes schema-v1 JSON on sifa/devices/<id>/position (QoS 1); "osmand" sends
    OsmAnd query-string GET requests to `url` (one keep-alive connection).
    """
    prov = province or build_province(count)
    rng = np.random.default_rng(1)
    t_start = time.time()
    stats = SimulationStats()
    topics = [topic_for(d) for d in prov.device_ids]
    publisher: MqttPublisher | None = None
    conn: http.client.HTTPConnection | None = None
    path = "/"
    if transport == "mqtt":
        publisher = MqttPublisher(host, port, client_id=f"sifa-simulator-{int(t_start)}")
        publisher.start()
    elif transport == "osmand":
        parts = urlsplit(url)
        conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=10)
        path = parts.path or "/"
    else:
        raise ValueError("transport must be 'mqtt' or 'osmand'")
    per_second = count / interval_s
    minute = 0
    try:
        while time.time() - t_start < duration_s and (rounds is None or minute < rounds):
            # Movement follows real time (one simulated minute per 60 s of sending), so speeds stay
            # plausible even when `interval_s` is short.
            cols = prov.fixes_at(minute * interval_s / 60.0, t_start, rng)
            # This round's fixes go out spread over `interval_s`, in order of each device's phase,
            # in small bursts every few milliseconds (a steady aggregate rate).
            order = np.argsort(prov.phase_s).tolist()
            round_start = time.time()
            k = 0
            while k < len(order) and time.time() - t_start < duration_s:
                due = min(len(order), int((time.time() - round_start) * per_second) + 1)
                while k < due:
                    i = order[k]
                    k += 1
                    ts = time.time() if real_time_stamps else float(cols["ts"][i])
                    lat, lon = float(cols["lat"][i]), float(cols["lon"][i])
                    acc, batt, spd = (
                        float(cols["accuracy"][i]),
                        float(cols["battery"][i]),
                        float(cols["speed"][i]),
                    )
                    try:
                        if publisher is not None:
                            publisher.publish(topics[i], payload(ts, lat, lon, acc, batt, spd))
                        elif conn is not None:
                            query = urlencode(
                                {
                                    "id": prov.device_ids[i],
                                    "lat": lat,
                                    "lon": lon,
                                    "timestamp": int(
                                        ts * 1000
                                    ),  # milliseconds: several fixes a second stay distinct
                                    "accuracy": round(acc, 1),
                                    "batt": round(batt, 1),
                                    "speed": round(spd / 0.514444, 2),
                                }
                            )
                            conn.request("GET", f"{path}?{query}")
                            conn.getresponse().read()
                        stats.sent += 1
                    except (OSError, http.client.HTTPException):
                        stats.failed += 1
                    if on_progress is not None and stats.sent % 1000 == 0:
                        on_progress(stats)
                time.sleep(0.005)
            # Wait out the rest of the interval before the next round.
            rest = interval_s - (time.time() - round_start)
            if rest > 0 and (rounds is None or minute + 1 < rounds):
                time.sleep(min(rest, max(0.0, duration_s - (time.time() - t_start))))
            minute += 1
    finally:
        if publisher is not None:
            publisher.stop()
        if conn is not None:
            conn.close()
        stats.seconds = time.time() - t_start
    return stats

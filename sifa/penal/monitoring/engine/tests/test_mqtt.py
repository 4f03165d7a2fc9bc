"""MQTT ingest against a real Mosquitto: round trip, ack after sink, broker restart, persistent session.

Needs Mosquitto at 127.0.0.1:1883 (anonymous). With CI=true an unreachable broker FAILS the tests;
elsewhere they are skipped with the reason. The restart test starts its own short-lived broker
(the `mosquitto` binary) on a free port so that it never disturbs the shared one.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from sifa.penal.monitoring.engine import EventType, ListSink, encode_position, topic_for
from sifa.penal.monitoring.engine.fixes import Fix
from sifa.penal.monitoring.engine.mqtt_ingest import MqttConsumer
from sifa.penal.monitoring.engine.simulate import MqttPublisher

from .helpers import COUNTY_A, border_points, county_engine

pytestmark = pytest.mark.services
HOST, PORT = "127.0.0.1", 1883


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _require(condition: bool, reason: str) -> None:
    if condition:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: the services must be up)")
    pytest.skip(reason)


@pytest.fixture
def broker() -> tuple[str, int]:
    _require(_reachable(HOST, PORT), f"Mosquitto not reachable at {HOST}:{PORT}")
    return HOST, PORT


def _wait(predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def _outside_messages(device: str, count: int, t0: float) -> list[tuple[str, bytes]]:
    _inside, outside = border_points(800)
    return [
        (topic_for(device), encode_position(Fix(device, t0 + 60 * i, outside[0], outside[1], accuracy_m=5)))
        for i in range(count)
    ]


def _consumer(
    engine: Any, sink: Any, host: str, port: int, client_id: str, expiry_s: int = 5
) -> MqttConsumer:
    # A short session expiry: the shared broker must not keep (and feed) test sessions for a day.
    return MqttConsumer(
        engine,
        sink,
        host=host,
        port=port,
        client_id=client_id,
        batch_wait_s=0.02,
        session_expiry_s=expiry_s,
    )


def test_round_trip_breach_alert_through_the_broker(broker: tuple[str, int]) -> None:
    device = f"t-{uuid.uuid4().hex[:10]}"
    t0 = time.time() - 600
    engine = county_engine()
    engine.register_device(device, "sup", polygons=[f"county:{COUNTY_A}"], now=t0)
    sink = ListSink()
    consumer = _consumer(engine, sink, *broker, client_id=f"sifa-test-{device}")
    consumer.start()
    publisher = MqttPublisher(*broker, client_id=f"pub-{device}")
    publisher.start()
    try:
        for topic, payload in _outside_messages(device, 3, t0):
            publisher.publish(topic, payload).wait_for_publish(5)
        assert _wait(
            lambda: any(e.event_type is EventType.BREACH and e.device_id == device for e in sink.events)
        )
        assert _wait(lambda: consumer.stats.acked >= 3)
    finally:
        publisher.stop()
        consumer.stop()


def test_messages_are_acknowledged_only_after_the_sink_succeeds(broker: tuple[str, int]) -> None:
    device = f"t-{uuid.uuid4().hex[:10]}"
    t0 = time.time() - 600
    engine = county_engine()
    engine.register_device(device, "sup", polygons=[f"county:{COUNTY_A}"], now=t0)
    calls: list[int] = []
    inner = ListSink()

    def flaky_sink(events: Any) -> None:
        calls.append(len(events))
        if len(calls) <= 2:
            raise OSError("database unavailable")
        inner(events)

    consumer = _consumer(engine, flaky_sink, *broker, client_id=f"sifa-test-{device}")
    consumer.start()
    publisher = MqttPublisher(*broker, client_id=f"pub-{device}")
    publisher.start()
    try:
        for topic, payload in _outside_messages(device, 3, t0):
            publisher.publish(topic, payload).wait_for_publish(5)
        assert _wait(lambda: consumer.stats.sink_failures >= 2)
        assert _wait(lambda: consumer.stats.acked >= 3)
        assert consumer.stats.sink_failures >= 2 and inner.events  # acked only after the retry succeeded
    finally:
        publisher.stop()
        consumer.stop()


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[Callable[[], subprocess.Popen[bytes]]]:
    binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    _require(Path(binary).exists(), "mosquitto binary not installed")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    conf = tmp_path / "mosquitto.conf"
    conf.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence true\n"
        f"persistence_location {tmp_path}/\n"
    )
    procs: list[subprocess.Popen[bytes]] = []

    def start() -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            [binary, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        procs.append(proc)
        assert _wait(lambda: _reachable("127.0.0.1", port), 5), "own mosquitto did not start"
        return proc

    start.port = port  # type: ignore[attr-defined]
    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(5)


def test_broker_restart_reconnects_and_keeps_the_persistent_session(own_broker: Any) -> None:
    port = own_broker.port
    broker_proc = own_broker()
    device = f"t-{uuid.uuid4().hex[:10]}"
    t0 = time.time() - 600
    engine = county_engine()
    engine.register_device(device, "sup", polygons=[f"county:{COUNTY_A}"], now=t0)
    sink = ListSink()
    consumer = _consumer(engine, sink, "127.0.0.1", port, client_id=f"sifa-test-{device}", expiry_s=300)
    consumer.start()
    try:
        # Broker restart (SIGTERM saves the session store; persistence on).
        broker_proc.terminate()
        broker_proc.wait(5)
        own_broker()
        assert _wait(lambda: consumer.stats.connects >= 2, 15), "consumer did not reconnect"
        publisher = MqttPublisher("127.0.0.1", port, client_id=f"pub-{device}")
        publisher.start()
        for topic, payload in _outside_messages(device, 3, t0):
            publisher.publish(topic, payload).wait_for_publish(5)
        publisher.stop()
        assert _wait(lambda: any(e.event_type is EventType.BREACH for e in sink.events))
        # Consumer down: messages published meanwhile wait in its persistent session.
        consumer.stop()
        publisher = MqttPublisher("127.0.0.1", port, client_id=f"pub2-{device}")
        publisher.start()
        later = _outside_messages(device, 6, t0)[3:]
        for topic, payload in later:
            publisher.publish(topic, payload).wait_for_publish(5)
        publisher.stop()
        consumer2 = _consumer(engine, sink, "127.0.0.1", port, client_id=f"sifa-test-{device}", expiry_s=300)
        consumer2.start()
        assert _wait(lambda: consumer2.stats.acked >= 3)
        consumer2.stop()
        assert engine.counters["accepted"] == 6  # nothing lost, nothing twice
    finally:
        consumer.stop()


def test_a_burst_is_read_in_bulk_and_every_message_acknowledged_once(broker: tuple[str, int]) -> None:
    """Thousands of QoS 1 messages arrive many to a socket read (and split across reads); each is
    processed once and acknowledged in bulk, so a new session under the same id gets nothing again."""
    tag = uuid.uuid4().hex[:8]
    devices = [f"b{tag}-{k}" for k in range(300)]
    t0 = time.time() - 3600
    engine = county_engine()
    for device in devices:
        engine.register_device(device, "sup", polygons=[f"county:{COUNTY_A}"], now=t0)
    client_id = f"sifa-test-burst-{tag}"
    consumer = _consumer(engine, ListSink(), *broker, client_id=client_id)
    consumer.start()
    publisher = MqttPublisher(*broker, client_id=f"pub-burst-{tag}")
    publisher.start()
    try:
        infos = [
            publisher.publish(topic, payload)
            for i in range(10)
            for device in devices
            for topic, payload in _outside_messages(device, 1, t0 + 60 * i)
        ]
        for info in infos:
            info.wait_for_publish(10)
        # (The subscription also sees other devices' traffic on a shared broker: count ours.)
        assert _wait(lambda: engine.counters["accepted"] >= 3000, 30)
        assert _wait(lambda: consumer.stats.acked == consumer.stats.processed >= 3000)
        assert engine.counters["accepted"] == 3000
    finally:
        publisher.stop()
        consumer.stop()
    fresh = county_engine()
    for device in devices:
        fresh.register_device(device, "sup", polygons=[f"county:{COUNTY_A}"], now=t0)
    again = _consumer(fresh, ListSink(), *broker, client_id=client_id)
    again.start()
    try:
        time.sleep(1.0)
        assert fresh.counters["accepted"] == 0  # the broker got every PUBACK: nothing redelivered
    finally:
        again.stop()

"""MQTT end to end through the REAL Mosquitto at 127.0.0.1:1883 (required in CI).

A device publishes schema-v1 JSON positions with QoS 1; the platform's consumer (the engine's
MqttConsumer driving PlatformEngine) stores them and raises the breach alert in the database; the
messages are acknowledged only after that commit.
"""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import pytest

from sifa.penal.monitoring.engine import topic_for
from sifa.penal.monitoring.engine.simulate import MqttPublisher, payload
from sifa.penal.monitoring.models import Alert, AlertKind, Position, Protocol
from sifa.platform.testing.services import require_service

from .conftest import FAR_OUTSIDE, INSIDE, fix_times

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_db"),
]


def _wait_for(predicate: Any, timeout: float = 20.0) -> bool:
    from django.db import OperationalError

    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if predicate():
                return True
        except OperationalError:  # SQLite's shared in-memory test database: the consumer is writing
            pass
        time.sleep(0.2)
    return False


def test_mqtt_qos1_positions_reach_the_database_and_raise_one_breach(tree: Any) -> None:
    host, port = require_service("mosquitto")
    from sifa.penal.monitoring.ingest import run_mqtt_consumer
    from sifa.penal.monitoring.testing import make_device

    device_id = f"mqtt-{uuid.uuid4().hex[:10]}"
    device = make_device(tree.donghu_office, device_id=device_id, protocol=Protocol.MQTT)
    stop = threading.Event()
    stats: dict[str, Any] = {}

    def consume() -> None:
        from django.db import connection

        try:
            # Only this test's device topic: other processes may publish on the broker meanwhile.
            stats["result"] = run_mqtt_consumer(
                host=host,
                port=port,
                client_id=f"sifa-test-{uuid.uuid4().hex[:8]}",
                topic=topic_for(device_id),
                stop=stop,
            )
        finally:
            connection.close()

    consumer = threading.Thread(target=consume, daemon=True)
    consumer.start()
    time.sleep(1.0)  # subscribed before the device publishes (QoS 1 queues only for known sessions)
    publisher = MqttPublisher(host, port, client_id=f"sifa-test-dev-{uuid.uuid4().hex[:8]}")
    publisher.start()
    try:
        points = [INSIDE] * 3 + [FAR_OUTSIDE] * 3
        for (lat, lon), ts in zip(points, fix_times(len(points)), strict=True):
            info = publisher.publish(topic_for(device_id), payload(ts, lat, lon, 9.0, 80.0, 1.0))
            info.wait_for_publish(5)
        # A malformed message on the same topic is rejected and counted, not fatal.
        publisher.publish(topic_for(device_id), b'{"lat": "x"}').wait_for_publish(5)
        assert _wait_for(lambda: Alert.objects.filter(device=device, kind=AlertKind.BREACH).exists())
        assert _wait_for(lambda: Position.objects.filter(device=device).count() == 6)
    finally:
        publisher.stop()
        stop.set()
        consumer.join(timeout=30)
    assert Alert.objects.filter(device=device, kind=AlertKind.BREACH).count() == 1
    result = stats["result"]
    assert result.acked == result.processed >= 7

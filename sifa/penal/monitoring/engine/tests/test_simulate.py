"""The device simulator (`sifa simulate devices`): OsmAnd HTTP into a local server, and MQTT."""

from __future__ import annotations

import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest

from sifa.penal.monitoring.engine import Engine, Fix, FixBatch, decode_osmand_request
from sifa.penal.monitoring.engine.mqtt_ingest import MqttConsumer
from sifa.penal.monitoring.engine.simulate import run_simulation
from sifa.penal.monitoring.engine.synthetic import build_province

from .test_mqtt import HOST, PORT, _reachable, _require, _wait


@pytest.fixture(scope="module")
def province() -> Any:
    built = build_province(20, seed=5)
    # Ids of this run's own: other tests (and other runs) on the shared broker simulate the same
    # synthetic devices, and their fixes would reach this test's consumer as out-of-order duplicates.
    tag = uuid.uuid4().hex[:8]
    built.device_ids = [f"{device}-{tag}" for device in built.device_ids]
    return built


def test_osmand_simulation_is_decodable_and_inside_the_counties(province: Any) -> None:
    received: list[Fix] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            received.extend(decode_osmand_request(query=urlsplit(self.path).query, received_at=time.time()))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/osmand"
        stats = run_simulation(
            20, transport="osmand", url=url, interval_s=0.3, duration_s=10, rounds=1, province=province
        )
    finally:
        server.shutdown()
    assert stats.failed == 0
    assert stats.sent == len(received) == 20
    assert {f.device_id for f in received} == set(province.device_ids)
    engine = Engine()
    province.register(engine, now=time.time() - 60)
    result = engine.process(FixBatch.from_fixes(received))
    assert engine.counters["received"] == len(received)
    assert len(result.accepted) == len(received)  # one plausible fix per device


def test_mqtt_simulation_reaches_a_consumer(province: Any) -> None:
    _require(_reachable(HOST, PORT), f"Mosquitto not reachable at {HOST}:{PORT}")
    engine = Engine()
    province.register(engine, now=time.time() - 60)
    events: list[Any] = []
    consumer = MqttConsumer(
        engine,
        events.extend,
        host=HOST,
        port=PORT,
        client_id=f"sifa-test-sim-{time.time_ns()}",
        batch_wait_s=0.02,
        session_expiry_s=10,
    )
    consumer.start(freeze_gc=False)
    try:
        stats = run_simulation(
            20,
            transport="mqtt",
            host=HOST,
            port=PORT,
            interval_s=0.3,
            duration_s=10,
            rounds=1,
            province=province,
        )
        # Wait for OUR fixes: the shared broker also carries other tests' devices, which count as
        # received (and rejected as unknown) and would end the wait before the last of ours arrived.
        assert _wait(lambda: engine.counters["accepted"] >= stats.sent)
    finally:
        consumer.stop()
    assert stats.sent == 20
    assert engine.counters["decode_error"] == 0
    assert engine.counters["accepted"] == stats.sent

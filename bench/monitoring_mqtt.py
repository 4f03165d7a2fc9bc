"""Latency side of bench/monitoring.py: (d) MQTT publish (QoS 1) → alert row committed in PostgreSQL."""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
import time
from collections.abc import Sequence
from typing import Any

import msgspec
import numpy as np
import psycopg
from _common import percentile

from sifa.penal.monitoring.engine import Engine, Event, EventType
from sifa.penal.monitoring.engine.mqtt_ingest import MqttConsumer
from sifa.penal.monitoring.engine.mqtt_json import topic_for
from sifa.penal.monitoring.engine.synthetic import Province


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


ALERT_TABLE_SQL = """
CREATE TABLE IF NOT EXISTS monitoring_alert_bench (
    key text PRIMARY KEY,
    event_type text NOT NULL,
    device_id text NOT NULL,
    supervisee_id text NOT NULL,
    fence_key text NOT NULL,
    fix_ts double precision NOT NULL,
    lat_wgs84 double precision,
    lon_wgs84 double precision,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp()
)"""


class PsycopgAlertSink:
    """Writes alert events as rows (idempotent on key) and commits; records end-to-end latency."""

    def __init__(self, dsn: str) -> None:
        self.conn = psycopg.connect(dsn)
        self.conn.execute(ALERT_TABLE_SQL)
        self.conn.execute("TRUNCATE monitoring_alert_bench")
        self.conn.commit()
        self.latencies: list[float] = []
        self.rows = 0

    def __call__(self, events: Sequence[Event]) -> None:
        alerts = [e for e in events if e.is_alert]
        if not alerts:
            return
        with self.conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO monitoring_alert_bench (key, event_type, device_id, supervisee_id, fence_key, "
                "fix_ts, lat_wgs84, lon_wgs84) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (key) DO NOTHING",
                [
                    (
                        e.key,
                        e.event_type.value,
                        e.device_id,
                        e.supervisee_id,
                        e.fence_key,
                        e.ts,
                        e.lat_wgs84,
                        e.lon_wgs84,
                    )
                    for e in alerts
                ],
            )
        self.conn.commit()
        done = time.time()
        self.rows += len(alerts)
        self.latencies.extend(done - e.ts for e in alerts if e.event_type is EventType.BREACH)


class RawQos1Publisher:
    """A minimal MQTT 3.1.1 QoS 1 publisher on a raw socket — the load generator for (d).

    paho's pure-Python publish path tops out at a few thousand QoS 1 messages/s on a busy 2-core
    machine, so the generator (not the system under test) would set the rate. This writes PUBLISH
    packets in bursts and counts PUBACKs on a reader thread; devices are separate clients in real
    life, one connection here carries all of them.
    """

    def __init__(self, host: str, port: int, client_id: str) -> None:
        import socket

        self.sock = socket.create_connection((host, port), timeout=10)
        cid = client_id.encode()
        var = b"\x00\x04MQTT\x04\x02\x00\x3c"  # protocol name, level 4, clean session, keepalive 60 s
        body = var + len(cid).to_bytes(2, "big") + cid
        self.sock.sendall(b"\x10" + self._varint(len(body)) + body)
        connack = self._read_exact(4)
        if connack[0] != 0x20 or connack[3] != 0:
            raise ConnectionError(f"CONNACK refused: {connack!r}")
        self.acked = 0
        self._next_id = 0
        self._reader = threading.Thread(target=self._read_acks, daemon=True)
        self._reader.start()

    @staticmethod
    def _varint(n: int) -> bytes:
        out = bytearray()
        while True:
            byte, n = n % 128, n // 128
            out.append(byte | (0x80 if n else 0))
            if not n:
                return bytes(out)

    def _read_exact(self, n: int) -> bytes:
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("broker closed the connection")
            buf += chunk
        return buf

    def _read_acks(self) -> None:
        pending = b""
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return
                pending += chunk
                whole = len(pending) // 4 * 4  # PUBACK is always 4 bytes: 0x40 0x02 id id
                self.acked += whole // 4
                pending = pending[whole:]
        except OSError:
            return

    def packet(self, topic: bytes, payload: bytes) -> bytes:
        self._next_id = self._next_id % 65535 + 1
        body = len(topic).to_bytes(2, "big") + topic + self._next_id.to_bytes(2, "big") + payload
        return b"\x32" + self._varint(len(body)) + body

    def send(self, packets: list[bytes]) -> None:
        self.sock.sendall(b"".join(packets))

    def close(self) -> None:
        try:
            self.sock.sendall(b"\xe0\x00")
        finally:
            self.sock.close()


def publisher_process(
    host: str,
    port: int,
    topics: list[str],
    lat: np.ndarray,
    lon: np.ndarray,
    rate: float,
    seconds: float,
    ready: mp.Event,
    out: mp.Queue,
) -> None:
    """Publishes QoS 1 at a steady rate in 5 ms ticks; each payload's ts is its send time."""
    try:
        _publish(host, port, topics, lat, lon, rate, seconds, ready, out)
    except OSError as exc:  # broker dropped us (e.g. its per-client queue overflowed): report it
        out.put((-1, 0.0, 0, f"{type(exc).__name__}: {exc}"))


def _publish(
    host: str,
    port: int,
    topics: list[str],
    lat: np.ndarray,
    lon: np.ndarray,
    rate: float,
    seconds: float,
    ready: Any,
    out: Any,
) -> None:
    pub = RawQos1Publisher(host, port, client_id=f"sifa-bench-pub-{os.getpid()}")
    enc = msgspec.json.Encoder().encode
    btopics = [t.encode() for t in topics]
    lat_l, lon_l = lat.tolist(), lon.tolist()
    n = len(topics)
    ready.wait()
    start = time.time()
    sent = 0
    while True:
        now = time.time()
        if now - start >= seconds:
            break
        due = int((now - start) * rate)
        if due > sent:
            packets = []
            for k in range(sent, due):
                i = k % n
                packets.append(
                    pub.packet(
                        btopics[i],
                        enc(
                            {
                                "ts": round(time.time(), 3),
                                "lat": lat_l[i],
                                "lon": lon_l[i],
                                "accuracy": 8.0,
                                "battery": 80.0,
                            }
                        ),
                    )
                )
            pub.send(packets)
            sent = due
        time.sleep(0.005)
    elapsed = time.time() - start
    deadline = time.time() + 10
    while pub.acked < sent and time.time() < deadline:
        time.sleep(0.01)
    acked = pub.acked
    pub.close()
    out.put((sent, elapsed, acked, ""))


def bench_latency(
    prov: Province, dsn: str, host: str, port: int, rate: float, seconds: float
) -> tuple[float, dict[str, float]]:
    engine = Engine(capacity=len(prov))
    now = time.time()
    prov.register(engine, now=now)
    # Positions for the run: everyday movement around home; 1 % of devices with a victim report
    # from inside the exclusion zone (deeper than the margin, so each alerts on its first fix).
    cols = prov.fixes_at(0, now, np.random.default_rng(9))
    lat, lon = cols["lat"].copy(), cols["lon"].copy()
    rng = np.random.default_rng(11)
    breachers = (~np.isnan(prov.victim_lat)) & (rng.random(len(prov)) < 0.01 / 0.3)
    lat[breachers] = prov.victim_lat[breachers]
    lon[breachers] = prov.victim_lon[breachers]
    order = rng.permutation(len(prov))  # publish order: devices interleaved
    topics = [topic_for(prov.device_ids[i]) for i in order.tolist()]
    sink = PsycopgAlertSink(dsn)
    consumer = MqttConsumer(
        engine,
        sink,
        host=host,
        port=port,
        client_id=f"sifa-bench-consumer-{os.getpid()}",
        batch_wait_s=0.02,
        session_expiry_s=120,
    )
    consumer.start()
    ctx = mp.get_context("fork")
    ready, out = ctx.Event(), ctx.Queue()
    proc = ctx.Process(
        target=publisher_process,
        args=(host, port, topics, lat[order], lon[order], rate, seconds, ready, out),
        daemon=True,
    )
    proc.start()
    time.sleep(1.0)
    ready.set()
    sent, pub_elapsed, broker_acked, pub_error = out.get(timeout=seconds + 60)
    if pub_error:
        log(f"    publisher failed: {pub_error} — the consumer fell behind and the broker dropped messages")
        sent = consumer.stats.received
    proc.join(10)
    deadline = time.time() + (5 if seconds <= 10 else 15)  # drain what is still queued
    while consumer.stats.processed < sent and time.time() < deadline:
        time.sleep(0.05)
    consumer.stop()
    sink.conn.close()
    if not sink.latencies:
        raise SystemExit("FAILED: no alert rows were written during the latency run")
    lat_ms = [x * 1000 for x in sink.latencies]
    info = {
        "sent": sent,
        "publish_rate": sent / pub_elapsed if pub_elapsed else 0.0,
        "broker_acked": broker_acked,
        "processed": consumer.stats.processed,
        "alerts": sink.rows,
        "p50_ms": percentile(lat_ms, 50),
        "max_ms": max(lat_ms),
        "batches": consumer.stats.batches,
    }
    return percentile(lat_ms, 99), info

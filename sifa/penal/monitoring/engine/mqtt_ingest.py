"""MQTT ingest: a framework-free consumer that feeds the engine and acknowledges only after the sink.

Delivery guarantees, and how they are met:

* QoS 1 subscription with a persistent session (MQTT 5 clean_start=False plus a session expiry):
  while the consumer is down or reconnecting, the broker queues its messages.
* Manual acknowledgement (paho 2 `manual_ack=True`): a message is PUBACKed only after the batch it
  belongs to went through the engine AND the sink returned (the sink writes alert rows durably).
  A crash before that means the broker redelivers; the engine's duplicate filter and the events'
  idempotency keys make the redelivery harmless. So acknowledged messages are never lost and
  unacknowledged ones are never half-applied.
* Reconnect: paho's network loop reconnects with back-off after a broker restart; we resubscribe
  on every connect (harmless with a persistent session). Messages received on an older
  connection are not acknowledged on the new one (packet ids are per connection) — the broker
  redelivers them instead.
* Flow: MQTT 5 Receive Maximum is raised so that the broker may keep many QoS 1 messages in
  flight to us while a batch is being processed (the broker default of 20 would throttle a
  batching consumer to 20 messages per batch).

The platform runs one consumer per worker process; several workers can share the load with MQTT 5
shared subscriptions (`$share/<group>/sifa/devices/+/position`), partitioned by device in effect.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from .events import EventSink
from .fixes import FixBatch
from .mqtt_json import SUBSCRIPTION
from .pipeline import BatchResult, Engine

log = logging.getLogger(__name__)

PositionSink = Callable[[FixBatch], None]
_PUBACK = 0x40
_READ_CHUNK = 1 << 16


class _BufferedClient(mqtt.Client):
    """paho's client with buffered socket reads and bulk acknowledgements.

    paho reads each packet with three or four recv() calls (one byte of command, one call per byte
    of the length, then the rest) and sends each PUBACK as its own write plus a wake-up of its
    network thread. At thousands of QoS 1 messages a second that per-message syscall and Python
    overhead, not the engine, decided whether the consumer kept up on a busy machine. Here reads
    are served from a 64 KiB buffer, and a batch's PUBACKs go out as one write.

    This overrides two internal methods of paho-mqtt 2.2 (`_sock_recv`, `loop_read`) and calls one
    (`_packet_queue`); `bulk_ack` falls back to paho's public `ack()` if they change.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._rbuf = b""
        self._rpos = 0
        self._rsock: Any = None

    def _sock_recv(self, bufsize: int) -> bytes:
        if self._rsock is not self._sock:  # a new connection: drop what the old one left
            self._rbuf, self._rpos, self._rsock = b"", 0, self._sock
        if self._rpos >= len(self._rbuf):
            data = super()._sock_recv(max(bufsize, _READ_CHUNK))
            if len(data) <= bufsize:
                return data
            self._rbuf, self._rpos = data, 0
        chunk = self._rbuf[self._rpos : self._rpos + bufsize]
        self._rpos += len(chunk)
        return chunk

    def loop_read(self, max_packets: int = 1) -> mqtt.MQTTErrorCode:
        rc = super().loop_read(max_packets)
        # select() does not see bytes already in our buffer: handle every whole packet in it now.
        while (
            rc == mqtt.MQTTErrorCode.MQTT_ERR_SUCCESS
            and self._sock is not None
            and self._rsock is self._sock
            and self._rpos < len(self._rbuf)
        ):
            rc = self._packet_read()
            if rc > 0:
                return self._loop_rc_handle(rc)
            if rc == mqtt.MQTTErrorCode.MQTT_ERR_AGAIN:
                return mqtt.MQTTErrorCode.MQTT_ERR_SUCCESS
        return rc

    def bulk_ack(self, mids: list[int]) -> None:
        """PUBACK (QoS 1) for many message ids in one write."""
        if not mids:
            return
        try:
            queue = self._packet_queue
        except AttributeError:  # pragma: no cover - a paho without the internal method
            for mid in mids:
                self.ack(mid, 1)
            return
        packet = b"".join(bytes((_PUBACK, 2, mid >> 8, mid & 0xFF)) for mid in mids)
        queue(_PUBACK, packet, 0, 0)


@dataclass(slots=True)
class ConsumerStats:
    received: int = 0
    processed: int = 0
    acked: int = 0
    batches: int = 0
    connects: int = 0
    sink_failures: int = 0
    not_acked_stale: int = 0
    last_batch_s: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


class MqttConsumer:
    def __init__(
        self,
        engine: Engine,
        sink: EventSink,
        *,
        host: str = "127.0.0.1",
        port: int = 1883,
        client_id: str = "sifa-monitoring-1",
        topic: str = SUBSCRIPTION,
        positions_sink: PositionSink | None = None,
        batch_max: int = 20_000,
        batch_wait_s: float = 0.05,
        session_expiry_s: int = 24 * 3600,
        receive_maximum: int = 65_535,
        on_batch: Callable[[BatchResult, float], None] | None = None,
    ) -> None:
        self.engine = engine
        self.sink = sink
        self.positions_sink = positions_sink
        self.host, self.port, self.topic = host, port, topic
        self.batch_max, self.batch_wait_s = batch_max, batch_wait_s
        self.on_batch = on_batch
        self.stats = ConsumerStats()
        self._queue: deque[tuple[str, bytes, int, int]] = deque()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._connected = threading.Event()
        self._generation = 0
        self._worker: threading.Thread | None = None
        self.client = _BufferedClient(
            CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5, manual_ack=True
        )
        self.client.reconnect_delay_set(min_delay=1, max_delay=10)
        self._connect_props = Properties(PacketTypes.CONNECT)
        self._connect_props.SessionExpiryInterval = session_expiry_s
        self._connect_props.ReceiveMaximum = receive_maximum
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message

    # -- paho callbacks (network thread) ---------------------------------------------------------
    def _on_connect(self, client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _props: Any) -> None:
        if reason.is_failure:
            log.warning("MQTT connect refused: %s", reason)
            return
        self._generation += 1
        self.stats.connects += 1
        client.subscribe(self.topic, qos=1)
        self._connected.set()

    def _on_disconnect(
        self, _client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _props: Any
    ) -> None:
        self._connected.clear()
        if not self._stop.is_set():
            log.warning("MQTT disconnected (%s); paho reconnects", reason)

    def _on_message(self, _client: mqtt.Client, _userdata: Any, msg: mqtt.MQTTMessage) -> None:
        self._queue.append((msg.topic, bytes(msg.payload), msg.mid, self._generation))
        self.stats.received += 1
        if len(self._queue) >= self.batch_max:
            self._wake.set()

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self, wait_connected_s: float = 10.0, *, freeze_gc: bool = True) -> None:
        """Connect and start the network loop and the worker thread.

        `freeze_gc`: move everything allocated so far (the device registry, fences: millions of
        long-lived objects at province scale) out of the cyclic GC's reach. Otherwise each full
        collection — triggered by the message objects the network thread allocates — rescans them
        all while holding the GIL, which shows up as second-long latency spikes.
        """
        if freeze_gc:
            gc.collect()
            gc.freeze()
        self.client.connect_async(
            self.host, self.port, keepalive=30, clean_start=False, properties=self._connect_props
        )
        self.client.loop_start()
        self._worker = threading.Thread(target=self._run, name="sifa-mqtt-worker", daemon=True)
        self._worker.start()
        if wait_connected_s and not self._connected.wait(wait_connected_s):
            raise ConnectionError(f"MQTT broker {self.host}:{self.port} not reachable")

    def stop(self) -> None:
        """Drain what is queued (process, sink, ack), then disconnect."""
        self._stop.set()
        self._wake.set()
        if self._worker is not None:
            self._worker.join(timeout=30)
        self.client.disconnect()
        self.client.loop_stop()

    # -- worker ----------------------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            self._wake.wait(self.batch_wait_s)
            self._wake.clear()
            stopping = self._stop.is_set()
            while self._queue:
                self._process_some()
            if not self._queue and self.engine is not None:
                idle = self.engine.check_offline() if self._offline_due() else []
                if idle:
                    self._sink_with_retry(idle)
            if stopping:
                return

    def _offline_due(self) -> bool:
        return time.time() - self.engine._last_offline_check >= self.engine.config.offline_check_interval_s

    def _process_some(self) -> None:
        n = min(len(self._queue), self.batch_max)
        items = [self._queue.popleft() for _ in range(n)]
        started = time.time()
        result = self.engine.process([(t, p) for t, p, _mid, _gen in items], now=started)
        if self.positions_sink is not None and len(result.accepted):
            self.positions_sink(result.accepted)
        self._sink_with_retry(result.events)
        generation = self._generation
        mids = [mid for _topic, _payload, mid, gen in items if gen == generation]
        self.client.bulk_ack(mids)
        self.stats.acked += len(mids)
        self.stats.not_acked_stale += n - len(mids)
        self.stats.processed += n
        self.stats.batches += 1
        self.stats.last_batch_s = time.time() - started
        if self.on_batch is not None:
            self.on_batch(result, time.time())

    def _sink_with_retry(self, events: list[Any]) -> None:
        """The sink must succeed before we ack; retry with back-off rather than drop."""
        delay = 0.05
        while True:
            try:
                self.sink(events)
                return
            except Exception:  # the sink's own errors are logged and retried, never swallowed
                self.stats.sink_failures += 1
                log.exception("event sink failed; retrying in %.2fs", delay)
                if self._stop.is_set() and delay > 2:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 5.0)

"""`sifa manage monitoring_mqtt`: the MQTT position consumer (one per worker node).

Subscribes to sifa/devices/+/position (QoS 1, persistent session), runs each batch through the
platform ingest (Art 29 check, engine, positions, alerts, inbox) and acknowledges the messages only
after the database commit. Several consumers can share the load with an MQTT 5 shared subscription
(``--topic '$share/sifa/sifa/devices/+/position'``). Stops cleanly on SIGTERM/SIGINT.
"""

from __future__ import annotations

import os
import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Consume device positions from MQTT (QoS 1, manual ack after commit)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("SIFA_MQTT_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("SIFA_MQTT_PORT", "1883")))
        parser.add_argument("--client-id", default=os.environ.get("SIFA_MQTT_CLIENT_ID", "sifa-monitoring-1"))
        parser.add_argument("--topic", default=None, help="subscription (default sifa/devices/+/position)")

    def handle(self, *args: Any, **options: Any) -> None:
        from sifa.penal.monitoring.ingest import run_mqtt_consumer

        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_a: stop.set())
        self.stdout.write(
            f"monitoring MQTT consumer: {options['host']}:{options['port']} as {options['client_id']}"
        )
        stats = run_mqtt_consumer(
            host=options["host"],
            port=options["port"],
            client_id=options["client_id"],
            topic=options["topic"],
            stop=stop,
        )
        self.stdout.write(
            f"stopped: received {stats.received}, processed {stats.processed}, acked {stats.acked}, "
            f"batches {stats.batches}, reconnects {max(stats.connects - 1, 0)}"
        )

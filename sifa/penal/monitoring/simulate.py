"""`sifa simulate devices`: drive simulated phones/wristbands against a running Sifa.

    sifa simulate devices --count 5 [--protocol osmand|mqtt] [--url URL] [--breach]
                          [--interval 2] [--duration 60] [--host 127.0.0.1 --port 1883]
    sifa simulate devices --count 10000 --synthetic --protocol mqtt   # load: the engine's province

Without ``--synthetic`` the simulator drives the devices REGISTERED in the database whose
supervisee has an active monitoring order today (Art 29: others would be refused anyway), each
moving around its last known position (or a point in its residence county). With ``--breach`` the
first device — one in 东湖区 (360102) when there is one — drives out of its county of residence, so
the engine raises a breach alert for the county's justice office. Coordinates are WGS-84; the
county outlines are converted from the shipped GCJ-02 once.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

M_PER_DEG = 111_320.0
KNOT = 1852.0 / 3600.0


def _out(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


@dataclass
class SimDevice:
    device_id: str
    supervisee: str
    county: str
    lat: float
    lon: float
    battery: float
    geometry: Any
    route: list[tuple[float, float]] = field(default_factory=list)  # breach route, consumed in order

    def step(self, rng: random.Random, step_m: float) -> tuple[float, float]:
        if self.route:
            self.lat, self.lon = self.route.pop(0)
            return self.lat, self.lon
        import shapely

        for _ in range(8):  # a random walk that stays inside the county
            bearing = rng.uniform(0, 2 * math.pi)
            lat = self.lat + step_m * math.cos(bearing) / M_PER_DEG
            lon = self.lon + step_m * math.sin(bearing) / (M_PER_DEG * math.cos(math.radians(self.lat)))
            if shapely.contains_xy(self.geometry, lon, lat):
                self.lat, self.lon = lat, lon
                break
        return self.lat, self.lon


def breach_route(geometry: Any, lat: float, lon: float, step_m: float) -> list[tuple[float, float]]:
    """A drive out of the county: straight to the nearest border and ~700 m beyond, ``step_m`` a fix.

    A device that is already outside (its last stored fix) first drives ~800 m back in, so that
    the engine sees it return (breach ended) and then leave again (a new breach).
    """
    import shapely
    from shapely.geometry import Point
    from shapely.ops import nearest_points

    border = nearest_points(geometry.boundary, Point(lon, lat))[0]
    coslat = math.cos(math.radians(lat))
    dx = (border.x - lon) * M_PER_DEG * coslat
    dy = (border.y - lat) * M_PER_DEG
    to_border = math.hypot(dx, dy) or 1.0
    ux, uy = dx / to_border, dy / to_border

    def line(lat0: float, lon0: float, vx: float, vy: float, length: float) -> list[tuple[float, float]]:
        points, d = [], step_m
        while d <= length:
            points.append((lat0 + vy * d / M_PER_DEG, lon0 + vx * d / (M_PER_DEG * coslat)))
            d += step_m
        return points

    if shapely.contains_xy(geometry, lon, lat):
        route = line(lat, lon, ux, uy, to_border + 700.0)
    else:
        back_in = line(lat, lon, ux, uy, to_border + 800.0)
        turn_lat, turn_lon = back_in[-1]
        route = back_in + line(turn_lat, turn_lon, -ux, -uy, 800.0 + 700.0)
    route += [route[-1]] * 3  # stay outside: hysteresis needs consecutive fixes
    return route


def registered_devices(count: int, *, breach: bool, step_m: float, seed: int = 7) -> list[SimDevice]:
    from django.utils import timezone

    from sifa.penal.corrections.selectors import monitored_supervisee_ids

    from .engine.divisions import load_outline_wgs84
    from .engine.synthetic import random_points_in
    from .models import Device, Position

    rng = random.Random(seed)
    devices = list(Device.objects.filter(active=True).select_related("supervisee").order_by("device_id"))
    monitored = monitored_supervisee_ids(timezone.localdate(), among={d.supervisee_id for d in devices})
    devices = [d for d in devices if d.supervisee_id in monitored]
    # The showcase county first, so that --breach happens where the demo's officers look.
    devices.sort(key=lambda d: (d.supervisee.residence_division_id != "360102", d.device_id))
    result = []
    import numpy as np

    for device in devices[:count]:
        county = device.supervisee.residence_division_id
        geometry = load_outline_wgs84(county)
        last = Position.objects.filter(device=device).order_by("-ts").first()
        if last is not None:
            lat, lon = last.lat_wgs84, last.lon_wgs84
        else:
            lon, lat = random_points_in(geometry, 1, np.random.default_rng(rng.randrange(1 << 30)))[0]
        result.append(
            SimDevice(
                device.device_id,
                device.supervisee.name,
                county,
                float(lat),
                float(lon),
                float(device.battery or rng.uniform(40, 100)),
                geometry,
            )
        )
    if breach and result:
        first = result[0]
        first.route = breach_route(first.geometry, first.lat, first.lon, step_m)
    return result


class Sender:
    def __init__(self, protocol: str, *, url: str, host: str, port: int) -> None:
        self.protocol = protocol
        self.publisher: Any = None
        self.conn: http.client.HTTPConnection | None = None
        if protocol == "mqtt":
            from .engine.simulate import MqttPublisher

            self.publisher = MqttPublisher(host, port, client_id=f"sifa-simulate-{int(time.time())}")
            self.publisher.start()
        else:
            parts = urlsplit(url)
            self.conn = http.client.HTTPConnection(
                parts.hostname or "127.0.0.1", parts.port or 80, timeout=10
            )
            self.path = parts.path or "/"

    def send(self, device: SimDevice, ts: float, lat: float, lon: float, speed: float) -> str:
        accuracy = 8.0
        if self.publisher is not None:
            from .engine import topic_for
            from .engine.simulate import payload

            self.publisher.publish(
                topic_for(device.device_id), payload(ts, lat, lon, accuracy, device.battery, speed)
            )
            return "published"
        assert self.conn is not None
        query = urlencode(
            {
                "id": device.device_id,
                "lat": f"{lat:.7f}",
                "lon": f"{lon:.7f}",
                "timestamp": int(ts),
                "accuracy": accuracy,
                "batt": round(device.battery, 1),
                "speed": round(speed / KNOT, 2),
            }
        )
        try:
            self.conn.request("GET", f"{self.path}?{query}")
            response = self.conn.getresponse()
            body = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            return f"error {exc}"
        try:
            detail = json.loads(body)
        except ValueError:
            detail = body[:80]
        return f"{response.status} {detail}"

    def close(self) -> None:
        if self.publisher is not None:
            self.publisher.stop()
        if self.conn is not None:
            self.conn.close()


def run_registered(args: argparse.Namespace) -> int:
    # ≤ 216 km/h between fixes: the engine drops faster jumps as bad fixes (limit 250 km/h).
    step_m = min(120.0, 60.0 * args.interval)
    devices = registered_devices(args.count, breach=args.breach, step_m=step_m)
    if not devices:
        _out(
            "没有可模拟的设备：需要已登记、且对象有生效电子定位决定的设备（先运行 `sifa demo`）。\n"
            "No registered device of a supervisee with an active monitoring order (run `sifa demo` first)."
        )
        return 1
    if len(devices) < args.count:
        _out(f"注意：只有 {len(devices)} 台已登记设备可用 / only {len(devices)} registered devices available")
    for d in devices:
        _out(f"  {d.device_id}  {d.supervisee}  county {d.county}{'  → breach route' if d.route else ''}")
    sender = Sender(args.protocol, url=args.url, host=args.host, port=args.port)
    rng = random.Random(11)
    started = time.time()
    sent = 0
    try:
        while time.time() - started < args.duration or any(d.route for d in devices):
            round_start = time.time()
            for d in devices:
                lat, lon = d.step(rng, 25.0 if not d.route else step_m)
                d.battery = max(5.0, d.battery - 0.02)
                outcome = sender.send(d, time.time(), lat, lon, (step_m if d.route else 25.0) / args.interval)
                sent += 1
                if d.route or args.verbose or not outcome.startswith(("200", "published")):
                    _out(f"{time.strftime('%H:%M:%S')} {d.device_id} {lat:.5f},{lon:.5f} → {outcome}")
            time.sleep(max(0.0, args.interval - (time.time() - round_start)))
    except KeyboardInterrupt:
        pass
    finally:
        sender.close()
    _out(
        f"sent {sent} positions from {len(devices)} devices "
        f"in {time.time() - started:.0f}s via {args.protocol}"
    )
    return 0


def run_synthetic(args: argparse.Namespace) -> int:
    from .engine.simulate import run_simulation

    stats = run_simulation(
        args.count,
        transport=args.protocol,
        host=args.host,
        port=args.port,
        url=args.url,
        interval_s=args.interval,
        duration_s=args.duration,
    )
    _out(f"sent {stats.sent} failed {stats.failed} in {stats.seconds:.1f}s (synthetic devices dev0000000…)")
    return 0 if stats.failed == 0 else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sifa simulate", description="模拟电子定位设备 / simulated devices")
    sub = parser.add_subparsers(dest="what", required=True)
    p = sub.add_parser("devices", help="drive N devices over OsmAnd HTTP or MQTT")
    p.add_argument("--count", type=int, default=5)
    p.add_argument("--protocol", choices=["osmand", "mqtt"], default="osmand")
    p.add_argument("--url", default="http://127.0.0.1:8000/api/monitoring/osmand/")
    p.add_argument("--host", default="127.0.0.1", help="MQTT broker host")
    p.add_argument("--port", type=int, default=1883, help="MQTT broker port")
    p.add_argument("--interval", type=float, default=2.0, help="seconds between fixes of one device")
    p.add_argument(
        "--duration", type=float, default=60.0, help="seconds to run (a breach route always completes)"
    )
    p.add_argument("--breach", action="store_true", help="one device drives out of its county")
    p.add_argument("--synthetic", action="store_true", help="the engine's synthetic province (load tests)")
    p.add_argument("--verbose", action="store_true")
    return parser


def simulate_cli(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(list(argv))
    if args.count < 1 or args.interval <= 0:
        _out("--count must be ≥ 1 and --interval > 0")
        return 2
    return run_synthetic(args) if args.synthetic else run_registered(args)

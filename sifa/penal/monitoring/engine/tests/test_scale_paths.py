"""The province-scale shortcuts give exactly the answers of the plain paths.

Three shortcuts exist only for speed (docs/monitoring-engine.md, "Scale design"): the vectorised
topic → device lookup, the lookup grids in front of polygon fences, and the columnar MQTT decode
that builds stored positions lazily. Each is checked here against the straightforward path, on
inputs chosen where a shortcut could go wrong (unknown and odd topics, points on and near a county
border, malformed payloads).
"""

from __future__ import annotations

import numpy as np
import shapely

from sifa.penal.monitoring.engine import (
    CircleFence,
    EngineConfig,
    FenceKind,
    FixBatch,
    decode_mqtt_batch,
    topic_for,
)
from sifa.penal.monitoring.engine.divisions import load_outline_wgs84
from sifa.penal.monitoring.engine.raster import INSIDE, OUTSIDE, PolygonRaster, RasterSet
from sifa.penal.monitoring.engine.topic_index import TopicIndex

from .helpers import COUNTY_A, COUNTY_B, border_points, county_engine, local_ts

T0 = local_ts(2026, 11, 23, 10)


def test_topic_index_agrees_with_a_dict_including_misses_growth_and_overwrites() -> None:
    rng = np.random.default_rng(3)
    keys = [topic_for(f"dev{i}") for i in range(3000)] + ["x", "a" * 70, "sifa/devices/ü/position"]
    index = TopicIndex(capacity=4)  # forces several rehashes and a wider key matrix
    for start in range(0, len(keys), 700):
        index.add(keys[start : start + 700], np.arange(start, min(start + 700, len(keys))))
    index.add([keys[5], keys[6]], [99, 98])  # overwrite in place
    truth = {k: i for i, k in enumerate(keys) if k.isascii()} | {keys[5]: 99, keys[6]: 98}
    queries = [keys[i] for i in rng.integers(0, len(keys), 500)]
    queries += ["", "sifa/devices/nobody/position", "a" * 71, "a" * 69, keys[10] + "\0", "é"]
    expected = [truth.get(q, -1) for q in queries]
    assert index.lookup(queries).tolist() == expected
    assert len(index) == len(truth)


def _near_boundary_points(geom: shapely.Geometry, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    vertices = shapely.get_coordinates(geom.boundary)
    pick = vertices[rng.integers(0, len(vertices), 4000)]
    jitter = rng.normal(0.0, 2e-4, pick.shape)  # ~20 m either side of the border
    minx, miny, maxx, maxy = geom.bounds
    spread = np.column_stack(
        [rng.uniform(minx - 0.1, maxx + 0.1, 4000), rng.uniform(miny - 0.1, maxy + 0.1, 4000)]
    )
    xy = np.vstack([pick, pick + jitter, spread])  # exact vertices, near misses, anywhere
    return xy[:, 0], xy[:, 1]


def test_polygon_grid_gives_exactly_the_exact_containment_answer() -> None:
    rng = np.random.default_rng(7)
    geoms = [load_outline_wgs84(code) for code in (COUNTY_A, COUNTY_B)]
    rasters = RasterSet()
    for f, geom in enumerate(geoms):
        shapely.prepare(geom)
        raster = PolygonRaster(geom, cells=64)  # coarse on purpose: many unsure cells
        rasters.set(f, raster)
        x, y = _near_boundary_points(geom, rng)
        assert np.array_equal(raster.contains_xy(geom, x, y), shapely.contains_xy(geom, x, y))
        code = raster.classify(x, y)
        decided = code != 2
        assert decided.any()  # the grid does decide points away from the border…
        assert np.array_equal(code[decided] == INSIDE, shapely.contains_xy(geom, x[decided], y[decided]))
    # …and the packed set classifies pairs of both fences the same way as each grid alone.
    x, y = _near_boundary_points(geoms[0], rng)
    fid = rng.integers(0, 3, x.size)  # fence 2 has no grid: always unsure
    code = rasters.classify(fid, x, y)
    for f in (0, 1):
        packed = rasters.get(f)
        assert packed is not None
        assert np.array_equal(code[fid == f], packed.classify(x[fid == f], y[fid == f]))
    assert (code[fid == 2] == 2).all() and OUTSIDE == 0


def _messages() -> list[tuple[str, bytes]]:
    """A batch with everything the fast path must hand to the exact path or reject the same way."""
    inside, outside = border_points(40)  # 40 m either side: the grid cannot decide these
    far_in, far_out = border_points(3000)
    msgs = []
    for k in range(30):
        lat, lon = (inside, outside, far_in, far_out)[k % 4]
        payload = f'{{"ts":{T0 + k},"lat":{lat},"lon":{lon},"accuracy":5,"battery":{90 - k},"speed":1.5}}'
        msgs.append((topic_for(f"d{k % 6}"), payload.encode()))
    msgs += [
        (topic_for("nobody"), b'{"ts":1795399200,"lat":28.6,"lon":115.9}'),  # not registered
        ("sifa/devices/ d1 /position", f'{{"ts":{T0 + 99},"lat":{inside[0]},"lon":{inside[1]}}}'.encode()),
        ("not/a/topic", b'{"ts":1,"lat":1,"lon":1}'),
        (topic_for("d2"), b'{"ts":1795399200,"lat":"north"}'),  # malformed payload
        (
            topic_for("d3"),
            f'{{"ts":"2026-11-23T10:01:30+08:00","lat":{far_out[0]},"lon":{far_out[1]}}}'.encode(),
        ),
        (topic_for("d4"), f'{{"ts":{T0 + 200},"lat":1,"lon":1,"device_id":"d5"}}'.encode()),  # wrong claim
    ]
    return msgs


def _engine(**config: int) -> object:
    engine = county_engine(EngineConfig(**config))  # type: ignore[arg-type]
    home_lat, home_lon = border_points(3000)[0]
    for k in range(6):
        engine.register_device(
            f"d{k}",
            f"s{k}",
            polygons=[f"county:{COUNTY_A}"],
            circles=[CircleFence(f"home:{k}", home_lat, home_lon, 150, FenceKind.EXCLUSION_ZONE)],
            now=T0 - 60,
        )
    engine.unregister_device("d5")  # its order ended: known topic, positions rejected (Art 29)
    return engine


def _same(a: FixBatch, b: FixBatch) -> bool:
    if a.device_id != b.device_id:
        return False
    names = (
        "ts",
        "lat_wgs84",
        "lon_wgs84",
        "speed_mps",
        "bearing_deg",
        "altitude_m",
        "accuracy_m",
        "battery_pct",
        "valid",
    )
    return all(np.array_equal(getattr(a, n), getattr(b, n), equal_nan=n != "valid") for n in names)


def test_fast_mqtt_path_equals_the_plain_fixbatch_path() -> None:
    """Same events (keys), rejections, errors and stored positions, with and without the grids."""
    msgs = _messages()
    fast = _engine(raster_min_points=0).process(msgs, now=T0 + 300)  # type: ignore[attr-defined]
    batch, _index, errors = decode_mqtt_batch(msgs)
    plain = _engine(raster_min_points=10**9).process(batch, now=T0 + 300)  # type: ignore[attr-defined]
    assert [e.key for e in fast.events] == [e.key for e in plain.events]
    assert any(e.event_type.value == "breach" for e in fast.events)
    assert fast.rejected == plain.rejected and fast.rejected["unknown_device"] == 1 + 5
    assert [(i, e.field) for i, e in fast.decode_errors] == [(i, e.field) for i, e in errors]
    assert _same(fast.accepted, plain.accepted) and len(fast.accepted) > 0
    assert _same(fast.batch, plain.batch)
    assert "d1" in fast.accepted.device_id and isinstance(fast.accepted, FixBatch)

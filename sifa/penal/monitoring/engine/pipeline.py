"""The monitoring engine: decode → filter → fence checks → hysteresis → events, in batches.

Everything per fix is a numpy array expression; the only Python loops are over distinct polygon
fences touched by a batch (one shapely `contains_xy` call each, on a prepared geometry) and over
the (rare) events emitted. State lives in `DeviceTable` arrays keyed by a dense device number.

Datum: WGS-84 throughout. Devices report WGS-84; GCJ-02 outlines are converted once when a fence
is created (see divisions.py), never per fix.
"""

from __future__ import annotations

import gc
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import shapely
from numpy.typing import NDArray

from .columns import Columns, decode_messages
from .devices import DeviceTable
from .events import Event, EventType, idempotency_key
from .fences import NO_WINDOW, CircleFence, FenceKind, KindCode, PolygonFence, local_minutes, window_active
from .filters import FilterConfig, Reject, group_ranks, rate_limit, stateful_round, stateless_reasons
from .fixes import DecodeError, FixBatch
from .geodesy import degrees_to_min_metres, haversine_m
from .hysteresis import HysteresisConfig, step
from .mqtt_json import topic_for
from .raster import INSIDE, UNSURE, PolygonRaster, RasterSet
from .result import BatchResult
from .topic_index import TopicIndex


@dataclass(frozen=True, slots=True)
class EngineConfig:
    filters: FilterConfig = field(default_factory=FilterConfig)
    hysteresis: HysteresisConfig = field(default_factory=HysteresisConfig)
    timezone: str = "Asia/Shanghai"
    offline_after_s: float = 30 * 60.0
    offline_check_interval_s: float = 30.0
    low_battery_pct: float = 20.0
    battery_recover_pct: float = 25.0  # hysteresis: "battery ok" only above this
    emit_transitions: bool = True  # ENTER/EXIT events besides BREACH/BREACH_END
    # A polygon fence gets a lookup grid (raster.py) once a batch tests this many points against it;
    # smaller groups go straight to the exact test. 0 = always, a huge number = never.
    raster_min_points: int = 64
    raster_cells: int = 384


def _groups(keys: NDArray[Any], idx: NDArray[np.intp]) -> list[tuple[int, NDArray[np.intp]]]:
    """`idx` split by `keys[idx]`: [(key, the idx entries with that key), …]."""
    if idx.size == 0:
        return []
    k = keys[idx]
    order = np.argsort(k, kind="stable")
    uniq, starts = np.unique(k[order], return_index=True)
    bounds = np.r_[starts, order.size]
    return [(int(u), idx[order[bounds[i] : bounds[i + 1]]]) for i, u in enumerate(uniq.tolist())]


class UnknownFence(LookupError):
    pass


class Engine:
    def __init__(self, config: EngineConfig | None = None, *, capacity: int = 1024) -> None:
        self.config = config or EngineConfig()
        self.tz = ZoneInfo(self.config.timezone)
        self.devices = DeviceTable(capacity=capacity)
        self.counters: Counter[str] = Counter()
        self._polys: list[PolygonFence] = []
        self._poly_id: dict[str, int] = {}
        self._poly_prepared: list[Any] = []
        self._poly_boundary: list[Any] = []
        self._rasters = RasterSet()
        self._topics = TopicIndex()
        self._topics_table: DeviceTable | None = None
        self._topics_synced = 0
        self._poly_kind = np.zeros(0, dtype=np.int8)
        self._poly_wstart = np.zeros(0, dtype=np.int16)
        self._poly_wend = np.zeros(0, dtype=np.int16)
        self._last_offline_check = -np.inf

    # -- configuration --------------------------------------------------------------------------
    def add_polygon_fence(self, fence: PolygonFence) -> int:
        """Add (or replace, by key) a shared polygon fence; returns its id."""
        geom = fence.geometry_wgs84
        shapely.prepare(geom)
        boundary = geom.boundary
        shapely.prepare(boundary)
        pid = self._poly_id.get(fence.key)
        if pid is None:
            pid = len(self._polys)
            self._polys.append(fence)
            self._poly_prepared.append(geom)
            self._poly_boundary.append(boundary)
            self._poly_id[fence.key] = pid
        else:
            self._polys[pid] = fence
            self._poly_prepared[pid] = geom
            self._poly_boundary[pid] = boundary
            self._rasters.set(pid, None)  # the outline changed: rebuild its grid when needed
        self._poly_kind = np.array([KindCode.of(p.kind) for p in self._polys], dtype=np.int8)
        self._poly_wstart = np.array(
            [p.window.start_minute if p.window else NO_WINDOW for p in self._polys], dtype=np.int16
        )
        self._poly_wend = np.array(
            [p.window.end_minute if p.window else NO_WINDOW for p in self._polys], dtype=np.int16
        )
        return pid

    def polygon_fence_id(self, key: str) -> int:
        try:
            return self._poly_id[key]
        except KeyError:
            raise UnknownFence(key) from None

    def register_device(
        self,
        device_id: str,
        supervisee_id: str,
        *,
        polygons: Sequence[str] = (),
        circles: Sequence[CircleFence] = (),
        now: float | None = None,
    ) -> None:
        """Bind a device to a supervisee and their fences (call when a monitoring order starts or
        its fences change). Hysteresis state restarts from 'compliant'."""
        ids = [self.polygon_fence_id(k) for k in polygons]
        inside0 = [self._polys[i].kind.must_be_inside for i in ids]
        idx = self.devices.slot_of(device_id, supervisee_id)
        self.devices.set_fences(idx, ids, inside0, circles, time.time() if now is None else now)

    def register_bulk(
        self,
        device_ids: Sequence[str],
        supervisee_ids: Sequence[str],
        *,
        polygon_ids: NDArray[np.int32],
        circles: dict[str, NDArray[Any]],
        now: float | None = None,
    ) -> None:
        """register_device for many devices at once; `polygon_ids` (n, P) from add_polygon_fence
        (-1 = empty slot); `circles` as in DeviceTable.set_fences_bulk."""
        pid = np.asarray(polygon_ids, dtype=np.int32)
        kinds = np.where(pid >= 0, self._poly_kind[np.clip(pid, 0, None)], 0)
        inside0 = (kinds != KindCode.EXCLUSION_ZONE) & (pid >= 0)
        self.devices.set_fences_bulk(
            device_ids, supervisee_ids, pid, inside0, circles, time.time() if now is None else now
        )
        # Pay the one-time costs now rather than in the first batch (where they delay alerts):
        # index the new devices' topics, and build the lookup grids of fences many devices share.
        self._topic_numbers([])
        shared = np.bincount(pid[pid >= 0], minlength=len(self._polys))
        for f in np.flatnonzero(shared >= max(self.config.raster_min_points, 1)).tolist():
            if self._rasters.get(f) is None:
                self._rasters.set(f, PolygonRaster(self._polys[f].geometry_wgs84, self.config.raster_cells))

    def unregister_device(self, device_id: str) -> bool:
        """The monitoring order ended (Art 29): further positions are rejected as unknown."""
        return self.devices.unregister(device_id)

    # -- processing -----------------------------------------------------------------------------
    def process_batch(
        self, messages: Sequence[tuple[str, bytes]] | FixBatch, now: float | None = None
    ) -> list[Event]:
        return self.process(messages, now).events

    def process(
        self, messages: Sequence[tuple[str, bytes]] | FixBatch, now: float | None = None
    ) -> BatchResult:
        """Run one batch: MQTT (topic, payload) messages or an already decoded FixBatch."""
        now = time.time() if now is None else now
        # Decoding allocates one object per message; a cyclic-GC pass in the middle of a large batch
        # scans them all for nothing (they hold no cycles), so pause the collector for the batch.
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            errors: list[tuple[int, DecodeError]] = []
            if isinstance(messages, FixBatch):
                cols = Columns.from_batch(messages, self._numbers_of(messages.device_id))
            else:
                cols, errors = self._decode(messages)
            self.counters["decode_error"] += len(errors)
            result = self._process_columns(cols, now)
            result.decode_errors = errors
            if now - self._last_offline_check >= self.config.offline_check_interval_s:
                result.events.extend(self.check_offline(now))
            return result
        finally:
            if gc_was_enabled:
                gc.enable()

    # -- decoding and device numbers --------------------------------------------------------------
    def _numbers_of(self, device_ids: Sequence[str]) -> NDArray[np.intp]:
        """Device numbers for device id strings (-1 = never registered)."""
        get = self.devices.index.get
        return np.fromiter((get(d, -1) for d in device_ids), dtype=np.intp, count=len(device_ids))

    def _topic_numbers(self, topics: Sequence[str]) -> NDArray[np.intp]:
        """Device numbers for MQTT topics in one vectorised lookup (-1 = not found: exact fallback)."""
        table = self.devices
        if self._topics_table is not table:  # first use, or the table was replaced by restore()
            self._topics, self._topics_table, self._topics_synced = TopicIndex(len(table)), table, 0
        if self._topics_synced < len(table.device_ids):
            # Device numbers are append-only and never change their device id: add the new ones.
            new = table.device_ids[self._topics_synced :]
            self._topics.add(
                [topic_for(d) for d in new], np.arange(self._topics_synced, len(table.device_ids))
            )
            self._topics_synced = len(table.device_ids)
        return self._topics.lookup(topics).astype(np.intp)

    def _decode(self, messages: Sequence[tuple[str, bytes]]) -> tuple[Columns, list[tuple[int, DecodeError]]]:
        return decode_messages(messages, self._topic_numbers, self._numbers_of)

    # -- filter --------------------------------------------------------------------------------
    def _process_columns(self, cols: Columns, now: float) -> BatchResult:
        table = self.devices
        n = len(cols)
        self.counters["received"] += n
        dev = cols.dev
        known = dev >= 0
        known[known] = table.registered[dev[known]]
        rejected: Counter[str] = Counter()
        if not known.all():
            rejected["unknown_device"] = int((~known).sum())
            cols = cols.take(np.flatnonzero(known))
            dev = cols.dev
            n = len(cols)
        reasons = stateless_reasons(cols, now, self.config.filters)
        arrival = np.argsort(dev, kind="stable")
        arrival_rank = np.empty(n, dtype=np.intp)
        arrival_rank[arrival] = group_ranks(dev[arrival])
        limited = rate_limit(dev, arrival_rank, now, table, self.config.filters)
        reasons[limited] = Reject.RATE_LIMITED
        # Time order within each device: the arrival order by device already is, unless a device's
        # fixes arrived out of order inside this batch (rare) — only then pay for a lexsort.
        by_dev = arrival[reasons[arrival] == 0]
        d_sorted = dev[by_dev]
        ts_sorted = cols.ts[by_dev]
        same = d_sorted[1:] == d_sorted[:-1]
        if np.any(same & (ts_sorted[1:] < ts_sorted[:-1])):
            order = by_dev[np.lexsort((ts_sorted, d_sorted))]
        else:
            order = by_dev
        rank = group_ranks(dev[order])
        rounds = int(rank.max()) + 1 if rank.size else 0
        for r in range(rounds):
            sel = order[rank == r] if rounds > 1 else order
            reasons[sel] = stateful_round(
                dev[sel], cols.ts[sel], cols.lat[sel], cols.lon[sel], table, self.config.filters
            )
        for code, count in enumerate(np.bincount(reasons, minlength=len(Reject)).tolist()):
            if code and count:
                rejected[Reject(code).name.lower()] += count
        self.counters.update(rejected)
        acc = order[reasons[order] == 0]
        self.counters["accepted"] += int(acc.size)
        events = self._evaluate(cols, acc, now)
        return BatchResult(
            events=events,
            accepted_index=acc,
            rejected=rejected,
            columns=cols,
            device_ids=table.device_ids,
        )

    def _evaluate(self, cols: Columns, acc: NDArray[np.intp], now: float) -> list[Event]:
        """Fence checks and hysteresis for accepted fixes `acc` (sorted by device, then time)."""
        events: list[Event] = []
        if acc.size == 0:
            return events
        table = self.devices
        d = cols.dev[acc]
        x = cols.lon[acc]
        y = cols.lat[acc]
        t = cols.ts[acc]
        accuracy = cols.accuracy[acc]
        rank = group_ranks(d)
        minute = local_minutes(t, self.tz)
        self._device_events(d, t, cols.battery[acc], rank, x, y, events)

        # Polygon pairs: one contains_xy call per distinct fence in the batch.
        pf = table.poly_fence[d]
        pj, ps = np.nonzero(pf >= 0)
        fid = pf[pj, ps]
        p_inside = np.empty(pj.size, dtype=np.bool_)
        p_depth = np.full(pj.size, np.inf)
        # Depth is needed where the observation may contradict the belief when its round comes:
        # where it contradicts the current belief, and for devices with several fixes in the batch
        # (earlier rounds may flip the belief).
        multi = np.isin(d, d[rank > 0]) if rank.size and rank.max() > 0 else np.zeros(d.size, dtype=np.bool_)
        cur_inside = table.poly_inside[d[pj], ps]
        if pj.size:
            px, py = x[pj], y[pj]
            # Most pairs are decided by the fences' lookup grids in one pass; the rest (near a
            # boundary, or fences without a grid yet) get the exact test, one call per fence.
            code = self._rasters.classify(fid, px, py)
            p_inside[:] = code == INSIDE
            unsure = np.flatnonzero(code == UNSURE)
            for f, sel in _groups(fid, unsure):
                p_inside[sel] = self._contains(f, px[sel], py[sel])
            # Depth across the boundary only where the observation contradicts the belief
            # (rare): it feeds the distance margin and the accuracy check.
            contra = np.flatnonzero((p_inside != cur_inside) | multi[pj])
            for f, sel in _groups(fid, contra):
                deg = shapely.distance(self._poly_boundary[f], shapely.points(px[sel], py[sel]))
                p_depth[sel] = degrees_to_min_metres(deg, py[sel])
            p_active = window_active(minute[pj], self._poly_wstart[fid], self._poly_wend[fid])
            p_must = self._poly_kind[fid] != KindCode.EXCLUSION_ZONE
            self._hysteresis_rounds(
                "poly",
                d,
                pj,
                ps,
                rank,
                p_inside,
                p_depth,
                accuracy,
                p_active,
                p_must,
                t,
                x,
                y,
                events,
                fence_of=lambda pair: (self._polys[int(fid[pair])].key, self._polys[int(fid[pair])].kind),
            )

        # Circle pairs: all distances in one haversine expression.
        ck = table.c_kind[d]
        cj, cs = np.nonzero(ck > 0)
        if cj.size:
            dc = d[cj]
            dist = haversine_m(y[cj], x[cj], table.c_lat[dc, cs], table.c_lon[dc, cs])
            radius = table.c_radius[dc, cs]
            kinds = ck[cj, cs]
            c_active = window_active(minute[cj], table.c_wstart[dc, cs], table.c_wend[dc, cs])
            self._hysteresis_rounds(
                "c",
                d,
                cj,
                cs,
                rank,
                dist <= radius,
                np.abs(dist - radius),
                accuracy,
                c_active,
                kinds != KindCode.EXCLUSION_ZONE,
                t,
                x,
                y,
                events,
                fence_of=lambda pair: (
                    table.circle_key(int(dc[pair]), int(cs[pair])),
                    KindCode(int(kinds[pair])).kind,
                ),
            )
        return events

    def _contains(self, f: int, x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Exact containment in polygon fence `f` of points its grid could not decide. A fence
        without a grid gets one once a batch tests `raster_min_points` points against it."""
        prepared = self._poly_prepared[f]
        if self._rasters.get(f) is not None:  # its grid already found these points unsure
            return shapely.contains_xy(prepared, x, y)
        if x.size >= self.config.raster_min_points:
            raster = PolygonRaster(self._polys[f].geometry_wgs84, self.config.raster_cells)
            self._rasters.set(f, raster)
            return raster.contains_xy(prepared, x, y)
        return shapely.contains_xy(prepared, x, y)

    def _hysteresis_rounds(
        self,
        prefix: str,
        d: NDArray[np.intp],
        pj: NDArray[np.intp],
        ps: NDArray[np.intp],
        rank: NDArray[np.intp],
        observed: NDArray[np.bool_],
        depth: NDArray[np.float64],
        accuracy: NDArray[np.float64],
        active: NDArray[np.bool_],
        must_inside: NDArray[np.bool_],
        t: NDArray[np.float64],
        x: NDArray[np.float64],
        y: NDArray[np.float64],
        events: list[Event],
        fence_of: Any,
    ) -> None:
        table = self.devices
        inside_arr = table.arrays[f"{prefix}_inside"]
        count_arr = table.arrays[f"{prefix}_count"]
        breach_arr = table.arrays[f"{prefix}_breach"]
        pair_rank = rank[pj]
        rounds = int(pair_rank.max()) + 1
        for r in range(rounds):
            sel = np.flatnonzero(pair_rank == r) if rounds > 1 else np.arange(pj.size)
            dd, ss = d[pj[sel]], ps[sel]
            res = step(
                inside=inside_arr[dd, ss],
                count=count_arr[dd, ss],
                breach=breach_arr[dd, ss],
                observed_inside=observed[sel],
                depth_m=depth[sel],
                accuracy_m=accuracy[pj[sel]],
                active=active[sel],
                must_be_inside=must_inside[sel],
                cfg=self.config.hysteresis,
            )
            inside_arr[dd, ss] = res.inside
            count_arr[dd, ss] = res.count
            breach_arr[dd, ss] = res.breach
            emit: list[tuple[EventType, NDArray[np.bool_]]] = []
            if self.config.emit_transitions:
                # Only while the fence is enforced: a curfew home circle left at noon is not news.
                shown = res.flipped & active[sel]
                emit += [(EventType.ENTER, shown & res.inside), (EventType.EXIT, shown & ~res.inside)]
            emit += [(EventType.BREACH, res.breach_started), (EventType.BREACH_END, res.breach_ended)]
            for etype, mask in emit:
                for k in np.flatnonzero(mask).tolist():
                    pair = int(sel[k])
                    j = int(pj[pair])
                    fence_key, kind = fence_of(pair)
                    events.append(
                        self._event(
                            etype,
                            int(d[j]),
                            float(t[j]),
                            fence_key,
                            kind,
                            float(y[j]),
                            float(x[j]),
                            {"depth_m": float(depth[pair])},
                        )
                    )

    def _device_events(
        self,
        d: NDArray[np.intp],
        t: NDArray[np.float64],
        battery: NDArray[np.float64],
        rank: NDArray[np.intp],
        x: NDArray[np.float64],
        y: NDArray[np.float64],
        events: list[Event],
    ) -> None:
        table = self.devices
        cfg = self.config
        first = rank == 0
        back = np.flatnonzero(first & table.offline[d])
        for j in back.tolist():
            events.append(
                self._event(EventType.ONLINE, int(d[j]), float(t[j]), "", "", float(y[j]), float(x[j]))
            )
        table.offline[d[back]] = False
        has_batt = ~np.isnan(battery)
        if not has_batt.any():
            return
        for r in range(int(rank.max()) + 1):
            sel = np.flatnonzero((rank == r) & has_batt)
            if not sel.size:
                continue
            dd = d[sel]
            low_now = table.low_battery[dd]
            went_low = ~low_now & (battery[sel] < cfg.low_battery_pct)
            recovered = low_now & (battery[sel] >= cfg.battery_recover_pct)
            table.low_battery[dd[went_low]] = True
            table.low_battery[dd[recovered]] = False
            for etype, mask in ((EventType.LOW_BATTERY, went_low), (EventType.BATTERY_OK, recovered)):
                for k in np.flatnonzero(mask).tolist():
                    j = int(sel[k])
                    events.append(
                        self._event(
                            etype,
                            int(d[j]),
                            float(t[j]),
                            "",
                            "",
                            float(y[j]),
                            float(x[j]),
                            {"battery_pct": float(battery[j])},
                        )
                    )

    def check_offline(self, now: float | None = None) -> list[Event]:
        """OFFLINE for registered devices with no accepted fix for `offline_after_s`.

        The key uses the time of the last fix (or of registration), so repeated checks — and a
        restarted worker — produce the same key for the same silence.
        """
        now = time.time() if now is None else now
        self._last_offline_check = now
        table = self.devices
        n = len(table)
        last = table.last_ts[:n]
        since = np.where(np.isnan(last), table.registered_at[:n], last)
        silent = table.registered[:n] & ~table.offline[:n] & (since < now - self.config.offline_after_s)
        events = []
        for i in np.flatnonzero(silent).tolist():
            events.append(
                self._event(
                    EventType.OFFLINE,
                    i,
                    float(since[i]),
                    "",
                    "",
                    None,
                    None,
                    {"silent_s": float(now - since[i])},
                )
            )
        table.offline[:n][silent] = True
        return events

    def _event(
        self,
        etype: EventType,
        idx: int,
        ts: float,
        fence_key: str,
        kind: FenceKind | str,
        lat: float | None,
        lon: float | None,
        detail: dict[str, float | str] | None = None,
    ) -> Event:
        device_id = self.devices.device_ids[idx]
        self.counters[f"event_{etype.value}"] += 1
        return Event(
            key=idempotency_key(device_id, etype, fence_key, ts),
            event_type=etype,
            device_id=device_id,
            supervisee_id=self.devices.supervisee_ids[idx],
            ts=ts,
            fence_key=fence_key,
            fence_kind=str(kind),
            lat_wgs84=lat,
            lon_wgs84=lon,
            detail=detail or {},
        )

    # -- persistence ----------------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        """Device state for a restart (the consumer saves it; fences are re-added from the DB)."""
        snap = self.devices.snapshot()
        snap["poly_keys"] = [p.key for p in self._polys]
        return snap

    def restore(self, snap: dict[str, Any]) -> None:
        """Load a snapshot; polygon fences must have been added again (matched by key)."""
        table = DeviceTable.from_snapshot(snap)
        remap = np.array([self._poly_id.get(k, -1) for k in snap["poly_keys"]] + [-1], dtype=np.int32)
        pf = table.arrays["poly_fence"]
        pf[:] = remap[pf]  # -1 indexes the trailing -1: empty stays empty
        self.devices = table

"""Bad-fix filter, vectorised over a batch with per-device state.

Stateless checks (one array expression each): the device's own validity flag, coordinates out of
range (and the (0, 0) "null island" that broken receivers send), timestamps in the future beyond
the allowed clock skew or older than the maximum age, poor accuracy.

Per-device checks: a flood rate limit (token bucket on server time, so a device cannot starve
others), duplicates (same fix time as the last accepted fix), out-of-order (older than the last
accepted fix), and impossible speed between consecutive accepted fixes. A device that really did
move fast (or whose previous fix was the bad one) would be stuck forever behind the speed check,
so after `speed_reset_after` consecutive speed rejections the next fix is accepted as a new anchor.

Fixes of one device inside a batch are processed in time order in "rounds" (round r holds each
device's r-th fix), so a batch of one fix per device — the normal case — is a single round.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from .devices import DeviceTable

if TYPE_CHECKING:
    from .columns import Columns
from .fixes import FixBatch
from .geodesy import haversine_m


class Reject(IntEnum):
    """Why a fix was dropped (0 = accepted). Values index the engine's counters."""

    ACCEPTED = 0
    INVALID = 1
    OUT_OF_RANGE = 2
    FUTURE = 3
    TOO_OLD = 4
    POOR_ACCURACY = 5
    RATE_LIMITED = 6
    DUPLICATE = 7
    OUT_OF_ORDER = 8
    SPEED_JUMP = 9


@dataclass(frozen=True, slots=True)
class FilterConfig:
    max_accuracy_m: float = 200.0
    max_speed_kmh: float = 250.0
    speed_reset_after: int = 3
    max_future_skew_s: float = 300.0
    max_age_s: float = 7 * 86400.0
    duplicate_tolerance_s: float = 0.001
    # Token bucket: a device at one fix a minute uses 1/min; allow bursts of buffered fixes
    # (a phone that was offline uploads its backlog) but not a flood.
    rate_per_minute: float = 30.0
    rate_burst: float = 120.0


def stateless_reasons(batch: FixBatch | Columns, now: float, cfg: FilterConfig) -> NDArray[np.int8]:
    if isinstance(batch, FixBatch):
        lat, lon, ts, acc = batch.lat_wgs84, batch.lon_wgs84, batch.ts, batch.accuracy_m
    else:
        lat, lon, ts, acc = batch.lat, batch.lon, batch.ts, batch.accuracy
    reason = np.zeros(len(batch), dtype=np.int8)
    # Later assignments win only where nothing earlier matched: apply in reverse priority.
    with np.errstate(invalid="ignore"):
        reason[acc > cfg.max_accuracy_m] = Reject.POOR_ACCURACY
        reason[ts < now - cfg.max_age_s] = Reject.TOO_OLD
        reason[ts > now + cfg.max_future_skew_s] = Reject.FUTURE
        bad_coord = ~(np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90.0) & (np.abs(lon) <= 180.0))
        bad_coord |= (lat == 0.0) & (lon == 0.0)
        reason[bad_coord | ~np.isfinite(ts)] = Reject.OUT_OF_RANGE
        reason[~batch.valid] = Reject.INVALID
    return reason


def rate_limit(
    dev: NDArray[np.intp], order_rank: NDArray[np.intp], now: float, table: DeviceTable, cfg: FilterConfig
) -> NDArray[np.bool_]:
    """Token bucket per device on server time. Returns the mask of messages over the limit.

    `order_rank` is each message's 0-based position among its device's messages in this batch.
    """
    if dev.size == 0:
        return np.zeros(0, dtype=np.bool_)
    uniq, counts = np.unique(dev, return_counts=True)
    tokens = table.tokens[uniq]
    since = table.tokens_at[uniq]
    refill = np.where(np.isnan(since), cfg.rate_burst, (now - since) * cfg.rate_per_minute / 60.0)
    available = np.minimum(cfg.rate_burst, np.where(np.isnan(tokens), cfg.rate_burst, tokens) + refill)
    allowed = np.floor(available)
    used = np.minimum(counts, allowed)
    table.tokens[uniq] = available - used
    table.tokens_at[uniq] = now
    allowed_per_msg = allowed[np.searchsorted(uniq, dev)]
    return order_rank >= allowed_per_msg


def group_ranks(keys: NDArray[np.intp]) -> NDArray[np.intp]:
    """For keys already sorted, each element's 0-based rank within its run of equal keys."""
    n = keys.size
    if n == 0:
        return np.zeros(0, dtype=np.intp)
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    lengths = np.diff(np.r_[starts, n])
    return np.arange(n) - np.repeat(starts, lengths)


def stateful_round(
    dev: NDArray[np.intp],
    ts: NDArray[np.float64],
    lat: NDArray[np.float64],
    lon: NDArray[np.float64],
    table: DeviceTable,
    cfg: FilterConfig,
) -> NDArray[np.int8]:
    """One round (at most one fix per device): duplicate, out-of-order and speed checks.

    Updates the device's last accepted fix for accepted ones; returns reasons (0 = accepted).
    """
    last_ts = table.last_ts[dev]
    reason = np.zeros(dev.size, dtype=np.int8)
    has_prev = ~np.isnan(last_ts)
    dt = ts - last_ts
    dup = has_prev & (np.abs(dt) <= cfg.duplicate_tolerance_s)
    older = has_prev & (dt < -cfg.duplicate_tolerance_s)
    with np.errstate(invalid="ignore", divide="ignore"):
        dist = haversine_m(table.last_lat[dev], table.last_lon[dev], lat, lon)
        speed_kmh = dist / np.maximum(dt, 1e-3) * 3.6
    jump = has_prev & ~dup & ~older & (speed_kmh > cfg.max_speed_kmh)
    run = table.speed_run[dev]
    reanchor = jump & (run >= cfg.speed_reset_after)
    jump &= ~reanchor
    reason[jump] = Reject.SPEED_JUMP
    reason[older] = Reject.OUT_OF_ORDER
    reason[dup] = Reject.DUPLICATE
    ok = reason == 0
    acc_dev = dev[ok]
    table.last_ts[acc_dev] = ts[ok]
    table.last_lat[acc_dev] = lat[ok]
    table.last_lon[acc_dev] = lon[ok]
    table.speed_run[acc_dev] = 0
    table.speed_run[dev[jump]] += 1
    return reason

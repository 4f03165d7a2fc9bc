"""MQTT topic → device number, looked up for a whole batch at once.

Why not a dict: at province scale (500,000 devices) a `dict[str, int]` lookup costs about 1 µs on
this kind of machine — the hash table and the key objects are tens of megabytes, so every lookup
is a chain of dependent cache misses (slot → entry → key string to compare), and the topic strings
paho hands us are fresh objects whose hash is not cached yet. That single lookup was the largest
cost of the whole pipeline. Here the keys live in one numpy matrix and the lookup of a batch is a
handful of array expressions: the CPU overlaps the cache misses of many keys instead of waiting
for each in turn (≈ 0.1–0.2 µs per message).

Open addressing with linear probing over a power-of-two table at most half full. Keys are ASCII
byte strings without NUL (MQTT forbids U+0000 in topic names; device ids are `[A-Za-z0-9_.:-]`),
compared as zero-padded 64-bit words. Anything else (non-ASCII, NUL, too long) is simply "not
found", and the caller falls back to the exact, slower path — so a miss never loses a message.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

_EMPTY = -1
_MULT = np.array(
    [
        0x9E3779B97F4A7C15,
        0xC2B2AE3D27D4EB4F,
        0x165667B19E3779F9,
        0xD6E8FEB86659FD93,
        0xFF51AFD7ED558CCD,
        0xC4CEB9FE1A85EC53,
        0x94D049BB133111EB,
        0xBF58476D1CE4E5B9,
    ],
    dtype=np.uint64,
)  # odd 64-bit constants (golden ratio, murmur/splitmix finalisers): word k is multiplied by _MULT[k % 8]


def _words(keys: Sequence[str]) -> NDArray[np.uint64]:
    """Keys as a (n, w) matrix of zero-padded 64-bit words (non-ASCII keys as the empty key)."""
    if "\0" in "".join(keys):
        # numpy drops trailing NULs ("k\0" would look like "k"): such keys become the empty key,
        # which is never stored (→ not found).
        keys = ["" if "\0" in k else k for k in keys]
    try:
        raw = np.array(keys, dtype=np.bytes_) if len(keys) else np.zeros(0, dtype="S8")
    except UnicodeEncodeError:
        # Rare: a non-ASCII key. It becomes the empty key as well.
        raw = np.array([k if k.isascii() else "" for k in keys], dtype=np.bytes_)
    size = raw.dtype.itemsize
    w = -(-size // 8)
    if w * 8 != size:
        padded = np.zeros(len(keys), dtype=f"S{w * 8}")
        padded[:] = raw
        raw = padded
    return raw.view(np.uint64).reshape(len(keys), w)


def _hash(words: NDArray[np.uint64]) -> NDArray[np.uint64]:
    mult = np.resize(_MULT, words.shape[1])
    with np.errstate(over="ignore"):
        h = (words * mult).sum(axis=1, dtype=np.uint64)
        h ^= h >> np.uint64(31)
        h *= np.uint64(0x94D049BB133111EB)
        h ^= h >> np.uint64(29)
    return h


class TopicIndex:
    """A vectorised str → non-negative int map (add and batch lookup; no removal needed)."""

    def __init__(self, capacity: int = 1024) -> None:
        self._width = 1  # words per key
        self._keys = np.zeros((max(capacity, 1), self._width), dtype=np.uint64)
        self._values = np.zeros(max(capacity, 1), dtype=np.int64)
        self._count = 0
        self._slots = np.full(self._table_size(capacity), _EMPTY, dtype=np.int64)  # → row in _keys

    @staticmethod
    def _table_size(n: int) -> int:
        return 1 << max(4, int(2 * max(n, 1) - 1).bit_length())

    def __len__(self) -> int:
        return self._count

    def add(self, keys: Sequence[str], values: Sequence[int] | NDArray[np.integer]) -> None:
        """Insert or overwrite; keys that are not plain ASCII without NUL are skipped (found by the
        caller's exact fallback instead)."""
        vals = np.asarray(values, dtype=np.int64)
        if not len(keys):
            return
        ok = np.fromiter(
            (bool(k) and k.isascii() and "\0" not in k for k in keys), dtype=np.bool_, count=len(keys)
        )
        if not ok.all():
            keys = [k for k, good in zip(keys, ok.tolist(), strict=True) if good]
            vals = vals[ok]
        if not len(keys):
            return
        words = _words(keys)
        # Existing keys are overwritten in place; the rest are appended.
        found_rows = self._rows_of(words)
        update = found_rows >= 0
        self._values[found_rows[update]] = vals[update]
        new = ~update
        if not new.any():
            return
        words, vals = words[new], vals[new]
        # A key repeated inside one call: the last value wins, stored once.
        _uniq, last = np.unique(words[::-1], axis=0, return_index=True)
        keep = np.sort(words.shape[0] - 1 - last)
        words, vals = words[keep], vals[keep]
        self._grow(self._count + len(vals), words.shape[1])
        rows = np.arange(self._count, self._count + len(vals))
        self._keys[rows, : words.shape[1]] = words
        self._values[rows] = vals
        self._count += len(vals)
        if 2 * self._count > self._slots.size:
            self._rehash()
        else:
            self._insert(rows)

    def lookup(self, keys: Sequence[str]) -> NDArray[np.int64]:
        """The value for each key, -1 where absent (or not representable: use an exact fallback)."""
        n = len(keys)
        if n == 0 or self._count == 0:
            return np.full(n, -1, dtype=np.int64)
        words = _words(keys)
        rows = self._rows_of(words)
        out = np.full(n, -1, dtype=np.int64)
        hit = rows >= 0
        out[hit] = self._values[rows[hit]]
        return out

    # -- internals ------------------------------------------------------------------------------
    def _fit(self, words: NDArray[np.uint64]) -> tuple[NDArray[np.uint64], NDArray[np.bool_]]:
        """Query words at the table's width; `possible` is False for keys longer than any stored."""
        w = self._width
        if words.shape[1] == w:
            return words, np.ones(words.shape[0], dtype=np.bool_)
        if words.shape[1] < w:
            out = np.zeros((words.shape[0], w), dtype=np.uint64)
            out[:, : words.shape[1]] = words
            return out, np.ones(words.shape[0], dtype=np.bool_)
        longer = np.asarray(words[:, w:].any(axis=1), dtype=np.bool_)
        return np.ascontiguousarray(words[:, :w]), ~longer

    def _rows_of(self, words: NDArray[np.uint64]) -> NDArray[np.int64]:
        n = words.shape[0]
        rows = np.full(n, -1, dtype=np.int64)
        if self._count == 0:
            return rows
        q, possible = self._fit(words)
        mask = np.uint64(self._slots.size - 1)
        slot = _hash(q) & mask
        pending = np.flatnonzero(possible)
        slot = slot[pending]
        while pending.size:
            cand = self._slots[slot.astype(np.intp)]
            filled = cand != _EMPTY
            pending, slot, cand = pending[filled], slot[filled], cand[filled]
            same = (self._keys[cand] == q[pending]).all(axis=1)
            rows[pending[same]] = cand[same]
            pending, slot = pending[~same], (slot[~same] + np.uint64(1)) & mask
        return rows

    def _insert(self, rows: NDArray[np.int64]) -> None:
        mask = np.uint64(self._slots.size - 1)
        slot = _hash(self._keys[rows]) & mask
        pending = rows
        while pending.size:
            # Several new keys may want the same free slot: one wins per round, the rest probe on.
            s = slot.astype(np.intp)
            free = self._slots[s] == _EMPTY
            _u, first = np.unique(s[free], return_index=True)
            winners = np.flatnonzero(free)[first]
            self._slots[s[winners]] = pending[winners]
            lose = np.ones(pending.size, dtype=np.bool_)
            lose[winners] = False
            pending = pending[lose]
            slot = slot[lose]
            occupied = self._slots[slot.astype(np.intp)] != _EMPTY
            slot = np.where(occupied, (slot + np.uint64(1)) & mask, slot)

    def _grow(self, rows: int, width: int) -> None:
        cap, w = self._keys.shape
        if rows <= cap and width <= w:
            return
        new = np.zeros((max(rows, 2 * cap) if rows > cap else cap, max(w, width)), dtype=np.uint64)
        new[:cap, :w] = self._keys
        self._keys = new
        values = np.zeros(new.shape[0], dtype=np.int64)
        values[:cap] = self._values
        self._values = values
        if width > w:
            self._width = width
            self._rehash()  # hashes depend on the width

    def _rehash(self) -> None:
        self._slots = np.full(self._table_size(self._keys.shape[0]), _EMPTY, dtype=np.int64)
        if self._count:
            self._insert(np.arange(self._count, dtype=np.int64))

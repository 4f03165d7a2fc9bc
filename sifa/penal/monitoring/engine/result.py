"""What one batch produced (events, rejections, the fixes to store), built lazily where it can be."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from .columns import Columns
from .events import Event
from .fixes import DecodeError, FixBatch


class BatchResult:
    """What one batch produced. `batch` (the decoded fixes of registered devices) and `accepted`
    (those that passed the filter, to store as positions) are built on first use: the hot path
    never needs the full per-fix records."""

    def __init__(
        self,
        events: list[Event],
        batch: FixBatch | None = None,
        accepted_index: NDArray[np.intp] | None = None,
        rejected: Counter[str] | None = None,
        decode_errors: list[tuple[int, DecodeError]] | None = None,
        *,
        columns: Columns | None = None,
        device_ids: Sequence[str] = (),
    ) -> None:
        self.events = events
        self._batch = batch
        self._columns = columns
        self._device_ids = device_ids
        self.accepted_index = np.zeros(0, dtype=np.intp) if accepted_index is None else accepted_index
        self.rejected: Counter[str] = Counter() if rejected is None else rejected
        self.decode_errors: list[tuple[int, DecodeError]] = [] if decode_errors is None else decode_errors

    @property
    def batch(self) -> FixBatch:
        if self._batch is None:
            if self._columns is None:
                self._batch = FixBatch.empty()
            else:
                self._batch = self._columns.to_batch(np.arange(len(self._columns)), self._device_ids)
        return self._batch

    @batch.setter
    def batch(self, value: FixBatch) -> None:
        self._batch = value

    @cached_property
    def accepted(self) -> FixBatch:
        """The fixes that passed the filter (to store as positions), in (device, time) order."""
        if self._batch is None and self._columns is not None:
            return self._columns.to_batch(self.accepted_index, self._device_ids)
        return self.batch.take(self.accepted_index)

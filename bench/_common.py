"""Small helpers shared by the benchmarks in bench/: timing, percentiles, memory, table printing.

Run a bench as a script from the repository root (``.venv/bin/python bench/<name>.py``); this module
is found next to it on ``sys.path``. It imports nothing from Django or sifa, so any bench may use it.
"""

from __future__ import annotations

import math
import resource
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (p99 of 300 samples is the 297th smallest): no interpolation, so the
    figure is always a latency that was actually observed."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Latency:
    n: int
    p50_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Latency:
        ms = [s * 1000 for s in seconds]
        return cls(
            n=len(ms),
            p50_ms=percentile(ms, 50),
            p99_ms=percentile(ms, 99),
            mean_ms=sum(ms) / len(ms),
            max_ms=max(ms),
        )


def time_calls(call: Callable[[], Any], repeat: int, warmup: int = 0) -> list[float]:
    """Wall-clock seconds of ``repeat`` calls of ``call`` after ``warmup`` untimed ones."""
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return samples


def own_peak_rss_mb() -> float:
    """Peak resident memory of this process (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def process_rss_mb(pid: int) -> float | None:
    """Current resident memory of another process, from /proc (None if it is gone or not Linux)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def format_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A plain fixed-width table (numbers right-aligned) that reads well in a terminal and in Markdown
    code blocks."""
    cells = [[f"{v:.1f}" if isinstance(v, float) else str(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]

    def line(values: Sequence[str], numeric: Sequence[bool]) -> str:
        cols = zip(values, widths, numeric, strict=True)
        padded = (v.rjust(w) if num else v.ljust(w) for v, w, num in cols)
        return "  ".join(padded).rstrip()

    numeric_cols = [bool(cells) and all(_is_number(r[i]) for r in cells) for i in range(len(headers))]
    out = [line(list(headers), numeric_cols), "  ".join("-" * w for w in widths)]
    out += [line(r, numeric_cols) for r in cells]
    return "\n".join(out)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True

"""Hysteresis for (device, fence) pairs, vectorised — one call updates every pair of a round.

Each pair holds a belief `inside` and a count of consecutive observations that contradict it. The
belief flips only after `consecutive` contradicting fixes, or at once when a fix lies deeper than
`margin_m` across the boundary (a person 2 km outside the county is not GNSS jitter). A fix whose
depth across the boundary is within its own reported accuracy is no evidence either way and leaves
the count unchanged; a fix that agrees with the belief resets it. This is what stops flapping when
someone lives on a county border.

A breach is the rule of the fence being violated while its time window is active:
inside-rule fences (allowed area, curfew home) breach when the belief is "outside", exclusion zones
when it is "inside". A breach opens once and closes once (no repeated alerts while it lasts).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True, slots=True)
class HysteresisConfig:
    consecutive: int = 3
    margin_m: float = 300.0
    # Contradicting fixes count only if they are deeper across the boundary than this many times
    # their reported accuracy radius (0 disables the check).
    accuracy_factor: float = 1.0


@dataclass(frozen=True, slots=True)
class StepResult:
    inside: NDArray[np.bool_]
    count: NDArray[np.int16]
    breach: NDArray[np.bool_]
    flipped: NDArray[np.bool_]
    breach_started: NDArray[np.bool_]
    breach_ended: NDArray[np.bool_]


def step(
    *,
    inside: NDArray[np.bool_],
    count: NDArray[np.int16],
    breach: NDArray[np.bool_],
    observed_inside: NDArray[np.bool_],
    depth_m: NDArray[np.float64],
    accuracy_m: NDArray[np.float64],
    active: NDArray[np.bool_],
    must_be_inside: NDArray[np.bool_],
    cfg: HysteresisConfig,
) -> StepResult:
    contrary = observed_inside != inside
    with np.errstate(invalid="ignore"):
        # NaN accuracy (not reported) compares False → the fix counts as evidence.
        inconclusive = contrary & (depth_m < accuracy_m * cfg.accuracy_factor)
    evidence = contrary & ~inconclusive
    new_count = np.where(evidence, count + 1, np.where(contrary, count, 0)).astype(np.int16)
    flipped = evidence & ((new_count >= cfg.consecutive) | (depth_m >= cfg.margin_m))
    new_inside = np.where(flipped, observed_inside, inside)
    new_count[flipped] = 0
    violating = active & (new_inside != must_be_inside)
    return StepResult(
        inside=new_inside,
        count=new_count,
        breach=violating,
        flipped=flipped,
        breach_started=violating & ~breach,
        breach_ended=~violating & breach,
    )

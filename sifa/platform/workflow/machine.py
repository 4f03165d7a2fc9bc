"""Declarative state machines: states, transitions, guards, permissions, statute articles, and what
each transition does to the procedure's deadline clocks (STYLE.md habits 3–4).

A domain app declares its procedure once, in ``<app>/workflows.py``::

    RECONSIDERATION = Workflow(
        name="reconsideration",
        states={"received": "已收件", "accepted": "已受理", ...},
        clocks=[ClockSpec("acceptance", "受理审查期限", "行政复议法 第三十条", "workdays", 5), ...],
        transitions=[
            Transition("accept", {"received"}, "accepted", permission="enforcement.accept_case",
                       article="行政复议法 第三十条", label="受理",
                       clock_effect=[ClockEffect.stop("acceptance"), ClockEffect.start("decision")]),
            ...
        ],
        tasks={"received": TaskSpec("审查是否受理", role="bureau_staff", clock="acceptance")},
    )

and the model carries ``workflow = RECONSIDERATION`` and a ``state`` field (``WorkflowModel``). Every
state change goes through ``sifa.platform.workflow.services.transition`` — which locks the row,
checks scope, permission, source state and guard, writes the history and the audit rows, applies
the clock effects and opens/closes inbox tasks in one transaction.

This module is plain Python (no Django imports): a workflow is data that can be printed, checked
and documented without a database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import KW_ONLY, dataclass
from enum import StrEnum
from typing import Any

from sifa.platform.calendar import Unit

# A guard answers why a transition is refused right now (None: allowed). It sees the locked row
# and the acting user; it must not write.
Guard = Callable[[Any, Any], "str | None"]


# A transition whose target is SAME_STATE records an event without changing the state, from any of
# its source states (e.g. 社区矫正法 Art 47: an arrest request made while the revocation proposal is
# with the court, before or after the court's receipt is recorded).
SAME_STATE = "="


class ClockAction(StrEnum):
    """What a transition does to one clock (cla_backend's "stops the timer", made explicit)."""

    START = "start"  # the transition is the clock's triggering event (its day not counted)
    PAUSE = "pause"  # e.g. 补正 (行政复议法 Art 31), 中止 (Art 39)
    RESUME = "resume"
    STOP = "stop"  # the step the clock measures is done (办结)
    EXTEND = "extend"  # 延期, e.g. 行政复议法 Art 62: ≤30 days, approved by the 机构负责人


@dataclass(frozen=True)
class ClockEffect:
    action: ClockAction
    clock: str  # the ClockSpec name
    # Stop a clock only if it runs: e.g. a ruling ends custody (社区矫正法 Art 47–48), and there is
    # custody only when an arrest was decided.
    if_running: bool = False

    @classmethod
    def start(cls, clock: str) -> ClockEffect:
        return cls(ClockAction.START, clock)

    @classmethod
    def pause(cls, clock: str) -> ClockEffect:
        return cls(ClockAction.PAUSE, clock)

    @classmethod
    def resume(cls, clock: str) -> ClockEffect:
        return cls(ClockAction.RESUME, clock)

    @classmethod
    def stop(cls, clock: str, *, if_running: bool = False) -> ClockEffect:
        return cls(ClockAction.STOP, clock, if_running)

    @classmethod
    def extend(cls, clock: str) -> ClockEffect:
        return cls(ClockAction.EXTEND, clock)

    def __str__(self) -> str:
        return f"{self.action}:{self.clock}{'?' if self.if_running else ''}"


@dataclass(frozen=True)
class ClockSpec:
    """A statutory period of the procedure: N natural days, N working days or N hours after its
    start event (``hours``: from the moment of the event, e.g. 社区矫正法 Art 47's 48 hours).

    ``max_extensions`` / ``max_extension_length`` bound 延期 (None: no statutory bound);
    ``extension_permission`` is the permission the approver must hold (e.g. the 机构负责人's).
    ``roll=False``: a natural-day period ending on a rest day is not moved to the next working day
    (custody: 刑事诉讼法 Art 105).
    """

    name: str
    label: str
    article: str
    unit: Unit | str
    length: int
    max_extensions: int | None = None
    max_extension_length: int | None = None
    extension_permission: str = ""
    # A transition the deadline scan performs by itself when the period runs out, e.g.
    # 行政复议法 Art 30: an application not refused within the review period counts as accepted.
    on_expiry: str = ""
    roll: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "unit", Unit(self.unit))
        if self.length < 0:
            raise WorkflowDefinitionError(f"clock {self.name}: length must be >= 0")
        if not self.roll and self.unit is not Unit.DAYS:
            raise WorkflowDefinitionError(f"clock {self.name}: only natural days can be kept from rolling")


@dataclass(frozen=True)
class TaskSpec:
    """The inbox task opened while an object sits in a state ("who must act next").

    Assigned to the user named by ``assignee_field`` on the object when that is set and filled,
    otherwise to ``role`` at the object's org — or at the org named by ``org_field`` on the object
    (e.g. the county agency that must act on a case owned by a township office). ``clock`` gives
    the due date.
    """

    title: str
    role: str = ""
    assignee_field: str = ""
    clock: str = ""
    org_field: str = ""


@dataclass(frozen=True)
class Transition:
    """One event of the procedure. ``source`` may be one state or several; ``clock_effect`` one
    effect or several (e.g. 受理 stops the acceptance clock and starts the decision clock).
    ``target=SAME_STATE``: the event leaves the object in whichever source state it was in."""

    name: str
    source: frozenset[str] | Iterable[str] | str
    target: str
    _: KW_ONLY
    permission: str
    guard: Guard | None = None
    article: str = ""
    clock_effect: ClockEffect | Sequence[ClockEffect] | None = None
    label: str = ""

    def __post_init__(self) -> None:
        source = self.source
        object.__setattr__(self, "source", frozenset([source] if isinstance(source, str) else source))
        effect = self.clock_effect
        effects = () if effect is None else (effect,) if isinstance(effect, ClockEffect) else tuple(effect)
        object.__setattr__(self, "clock_effect", effects)
        object.__setattr__(self, "label", self.label or self.name)

    @property
    def sources(self) -> frozenset[str]:
        return self.source  # type: ignore[return-value]  # normalised in __post_init__

    @property
    def clock_effects(self) -> tuple[ClockEffect, ...]:
        return self.clock_effect  # type: ignore[return-value]  # normalised in __post_init__

    def target_from(self, state: str) -> str:
        """The state the transition leads to from ``state``."""
        return state if self.target == SAME_STATE else self.target


class WorkflowDefinitionError(ValueError):
    """A workflow refers to a state or clock it does not declare (raised at import time)."""


class Workflow:
    def __init__(
        self,
        name: str,
        states: Mapping[str, str],
        transitions: Sequence[Transition],
        *,
        clocks: Sequence[ClockSpec] = (),
        tasks: Mapping[str, TaskSpec] | None = None,
        initial: str | None = None,
        final: Iterable[str] = (),
        start_clocks: Sequence[str] = (),
    ) -> None:
        if not states:
            raise WorkflowDefinitionError(f"{name}: no states")
        self.name = name
        self.states = dict(states)
        self.initial = initial or next(iter(self.states))
        self.final = frozenset(final)
        self.clocks = {c.name: c for c in clocks}
        self.tasks = dict(tasks or {})
        self.start_clocks = tuple(start_clocks)
        self.transitions: dict[str, Transition] = {}
        problems = []
        if self.initial not in self.states:
            problems.append(f"initial state {self.initial!r} is not declared")
        for s in (*self.final, *self.tasks):
            if s not in self.states:
                problems.append(f"state {s!r} (final/tasks) is not declared")
        for t in transitions:
            if t.name in self.transitions:
                problems.append(f"transition {t.name!r} declared twice")
            self.transitions[t.name] = t
            for s in (*t.sources, t.target):
                if s not in self.states and s != SAME_STATE:
                    problems.append(f"transition {t.name!r}: unknown state {s!r}")
            for effect in t.clock_effects:
                if effect.clock not in self.clocks:
                    problems.append(f"transition {t.name!r}: unknown clock {effect.clock!r}")
            if not t.permission:
                problems.append(f"transition {t.name!r}: a permission is required")
        for clock_spec in self.clocks.values():
            expiry = clock_spec.on_expiry
            if expiry and expiry not in self.transitions:
                problems.append(f"clock {clock_spec.name!r}: on_expiry names unknown transition {expiry!r}")
        for clock in self.start_clocks:
            if clock not in self.clocks:
                problems.append(f"start clock {clock!r} is not declared")
        for state, spec in self.tasks.items():
            if spec.clock and spec.clock not in self.clocks:
                problems.append(f"task for {state!r}: unknown clock {spec.clock!r}")
            if not spec.role and not spec.assignee_field:
                problems.append(f"task for {state!r}: needs a role or an assignee_field")
        if problems:
            raise WorkflowDefinitionError(f"workflow {name}: " + "; ".join(problems))

    def __repr__(self) -> str:
        return f"Workflow({self.name!r}, {len(self.states)} states, {len(self.transitions)} transitions)"

    def get(self, name: str) -> Transition:
        try:
            return self.transitions[name]
        except KeyError:
            raise UnknownTransition(f"{self.name}: no transition {name!r}") from None

    def available(self, state: str) -> list[Transition]:
        """Transitions whose source includes ``state`` (before permission and guard checks)."""
        return [t for t in self.transitions.values() if state in t.sources]

    def label(self, state: str) -> str:
        return self.states.get(state, state)

    def describe(self) -> str:
        """A plain-text table of the machine (for docs and reviews)."""
        lines = [f"{self.name}: initial {self.initial}"]
        for t in self.transitions.values():
            effects = ", ".join(str(e) for e in t.clock_effects) or "-"
            lines.append(
                f"  {t.name}: {'|'.join(sorted(t.sources))} -> {t.target} [{t.permission}] "
                f"{t.article or '-'} clocks: {effects}"
            )
        return "\n".join(lines)


class UnknownTransition(KeyError):
    pass

"""Workflow services (every write of the workflow app). Import from here."""

from .clocks import (
    extend_clock,
    open_clock,
    pause_clock,
    refresh_clock,
    resume_clock,
    start_clock,
    stop_clock,
)
from .inbox import close_tasks, complete_task, is_in_inbox, notify, open_task
from .transitions import (
    TransitionDenied,
    TransitionError,
    TransitionNotAllowed,
    TransitionRefused,
    allowed_transitions,
    start_workflow,
    transition,
)

__all__ = [
    "TransitionDenied",
    "TransitionError",
    "TransitionNotAllowed",
    "TransitionRefused",
    "allowed_transitions",
    "close_tasks",
    "complete_task",
    "extend_clock",
    "is_in_inbox",
    "notify",
    "open_clock",
    "open_task",
    "pause_clock",
    "refresh_clock",
    "resume_clock",
    "start_clock",
    "start_workflow",
    "stop_clock",
    "transition",
]

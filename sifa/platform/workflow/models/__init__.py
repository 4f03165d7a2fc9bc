"""Workflow models: holiday notices, transition history, statutory clocks, inbox tasks,
notifications and job receipts. Split by sub-domain; import from here."""

from .clocks import ClockExtension, ClockPause, ClockWarning, StatutoryClock
from .history import TransitionLog, WorkflowModel
from .holidays import HolidayNotice
from .inbox import JobReceipt, Notification, Task, TaskStatus, WarningLevel

__all__ = [
    "ClockExtension",
    "ClockPause",
    "ClockWarning",
    "HolidayNotice",
    "JobReceipt",
    "Notification",
    "StatutoryClock",
    "Task",
    "TaskStatus",
    "TransitionLog",
    "WarningLevel",
    "WorkflowModel",
]

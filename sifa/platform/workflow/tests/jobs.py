"""A slow idempotent job for the worker test (imported by the worker with ``-I``)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from celery import shared_task

from sifa.platform.workflow.jobs import run_once


def _mark(marker: str, line: str) -> None:
    with Path(marker).open("a", encoding="utf-8") as f:
        f.write(line + "\n")
        f.flush()
        os.fsync(f.fileno())


@shared_task(name="sifa.platform.workflow.tests.jobs.slow_receipt", acks_late=True)
def slow_receipt(key: str, seconds: float, marker: str) -> bool:
    """Work for ``seconds``, then commit the effect (a receipt) exactly once."""
    _mark(marker, f"start {os.getpid()}")
    time.sleep(seconds)
    ran, _ = run_once(key, "slow_receipt", lambda: {"pid": os.getpid()})
    _mark(marker, f"done {os.getpid()} {ran}")
    return ran

"""A worker killed mid-job does not lose the job, and the job's effect lands exactly once
(issue 3, "Bad input and faults"): a real ``celery worker`` on real Redis, SIGKILLed while the job
runs; a second worker picks the unacknowledged message up (acks_late + visibility timeout) and the
receipt written with the effect keeps a repeated delivery from doing it twice.

The worker subprocesses use a SQLite file database in a temporary directory, migrated first, and
``worker_settings`` (a 4-second visibility timeout instead of the production hour).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from sifa.platform.testing.services import require_service

pytestmark = [pytest.mark.services, pytest.mark.slow]

BROKER = "redis://127.0.0.1:6379/15"
# A queue of this run's own: parallel runs on one machine (xdist workers, two checkouts) must not
# consume each other's jobs, which would write their receipts into another run's database.
QUEUE = f"sifa-worker-test-{uuid.uuid4().hex[:12]}"
ROOT = Path(__file__).resolve().parents[4]


def _env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        SIFA_MODE="development",
        DJANGO_SETTINGS_MODULE="sifa.platform.workflow.tests.worker_settings",
        SIFA_VAR_DIR=str(tmp / "var"),
        SIFA_DATABASE_URL=f"sqlite:///{tmp / 'worker.sqlite3'}",
        SIFA_BROKER_URL=BROKER,
        SIFA_BROKER_VISIBILITY_TIMEOUT="4",
        PYTHONUNBUFFERED="1",
    )
    env.pop("SIFA_REDIS_URL", None)
    return env


def _wait(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _lines(marker: Path) -> list[list[str]]:
    return [line.split() for line in marker.read_text().splitlines()] if marker.exists() else []


def _receipts(db: Path, key: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(
            conn.execute("SELECT count(*) FROM workflow_jobreceipt WHERE key = ?", (key,)).fetchone()[0]
        )


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Callable[[str], subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []

    def start(name: str) -> subprocess.Popen[bytes]:
        log = (tmp_path / f"{name}.log").open("wb")
        proc = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "sifa.config.celery", "worker",
                "-Q", QUEUE, "-c", "1", "-P", "prefork", "-n", f"{name}@%h", "-l", "info",
                "--without-gossip", "--without-mingle", "--without-heartbeat",
                "-I", "sifa.platform.workflow.tests.jobs",
            ],
            cwd=ROOT, env=_env(tmp_path), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: SIGKILL reaches the pool children too
        )  # fmt: skip
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def _send(sender: Any, key: str, seconds: float, marker: Path) -> None:
    sender.send_task(
        "sifa.platform.workflow.tests.jobs.slow_receipt", args=[key, seconds, str(marker)], queue=QUEUE
    )


def _count(marker: Path, kind: str) -> int:
    return sum(line[0] == kind for line in _lines(marker))


def test_worker_killed_mid_job_the_job_completes_exactly_once(tmp_path: Path, workers: Any) -> None:
    require_service("redis")
    import redis
    from celery import Celery

    redis.Redis.from_url(BROKER).delete(QUEUE)  # never flush: other runs may share db 15
    db = tmp_path / "worker.sqlite3"
    migrate = subprocess.run(
        [sys.executable, "-m", "sifa.cli", "manage", "migrate", "-v0"],
        cwd=ROOT, env=_env(tmp_path), capture_output=True, timeout=120,
    )  # fmt: skip
    assert migrate.returncode == 0, migrate.stderr.decode()[-2000:]
    sender = Celery("sender", broker=BROKER)
    first = workers("w1")

    # 1. The pool process running the job dies (OOM killer, segfault): the worker's main process
    #    rejects the message back to the queue (task_reject_on_worker_lost) and runs it again.
    child_marker, child_key = tmp_path / "child.txt", f"job-{uuid.uuid4().hex}"
    _send(sender, child_key, 2.0, child_marker)
    _wait(lambda: _count(child_marker, "start") == 1, 45, "the worker to start the job")
    os.kill(int(_lines(child_marker)[0][1]), signal.SIGKILL)
    _wait(lambda: _count(child_marker, "done") == 1, 30, "the job to run again after its pool process died")
    assert _receipts(db, child_key) == 1
    assert _count(child_marker, "start") == 2

    # 2. The whole worker is killed mid-job (kill -9, machine lost): nobody acknowledged the
    #    message, so Redis hands it to the next worker once the visibility timeout has passed.
    marker, key = tmp_path / "marker.txt", f"job-{uuid.uuid4().hex}"
    _send(sender, key, 2.0, marker)
    _wait(lambda: _count(marker, "start") == 1, 30, "the first worker to start the job")
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    assert _receipts(db, key) == 0
    assert _count(marker, "done") == 0

    second = workers("w2")
    _wait(lambda: _count(marker, "done") == 1, 60, "the second worker to finish the job")
    assert _receipts(db, key) == 1

    # 3. The same job delivered again (as after a crash between commit and ack) does nothing.
    _send(sender, key, 0.0, marker)
    _wait(lambda: _count(marker, "done") == 2, 30, "the repeated delivery")
    os.killpg(second.pid, signal.SIGTERM)
    second.wait(timeout=20)

    lines = _lines(marker)
    starts = [line[1] for line in lines if line[0] == "start"]
    done = [(line[1], line[2]) for line in lines if line[0] == "done"]
    assert len(starts) == 3 and starts[0] != starts[1]  # killed run, redelivered run, repeat
    assert done[0] == (starts[1], "True") and done[1][1] == "False"
    assert _receipts(db, key) == 1

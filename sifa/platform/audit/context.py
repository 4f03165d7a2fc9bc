"""Who is acting and in which request: set by the middleware, read by services when they audit."""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("sifa_request_id", default="")


def current_request_id() -> str:
    """The request id, or a fresh one for work outside a request (CLI, worker)."""
    rid = request_id_var.get()
    if not rid:
        rid = "job-" + uuid.uuid4().hex[:16]
        request_id_var.set(rid)
    return rid


@contextmanager
def request_context(request_id: str | None = None) -> Iterator[str]:
    token = request_id_var.set(request_id or uuid.uuid4().hex)
    try:
        yield request_id_var.get()
    finally:
        request_id_var.reset(token)

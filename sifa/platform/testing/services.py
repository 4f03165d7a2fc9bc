"""Real services on this machine. In CI (CI=true) a missing service FAILS the test; locally it skips."""

from __future__ import annotations

import os
import socket

import pytest

SERVICES = {
    "postgresql": ("127.0.0.1", 5432),
    "redis": ("127.0.0.1", 6379),
    "rabbitmq": ("127.0.0.1", 5672),
    "mosquitto": ("127.0.0.1", 1883),
}


def reachable(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def require_service(name: str) -> tuple[str, int]:
    host, port = SERVICES[name]
    if not reachable(host, port):
        message = f"{name} is not reachable at {host}:{port}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " (CI=true: services are required, not optional)")
        pytest.skip(message)
    return host, port

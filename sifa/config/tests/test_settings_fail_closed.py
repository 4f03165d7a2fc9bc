"""Production mode refuses insecure settings with a clear message; the DB being down is explained."""

from __future__ import annotations

import subprocess
import sys

BASE_ENV = {"PATH": "", "HOME": "/tmp"}


def _sifa(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sifa.cli", *args],
        capture_output=True,
        text=True,
        env={**BASE_ENV, **env},
        timeout=60,
        check=False,
    )


def test_production_without_secrets_refuses_to_start() -> None:
    result = _sifa("check")
    assert result.returncode == 2
    assert "SIFA_SECRET_KEY" in result.stderr and "SIFA_ALLOWED_HOSTS" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_with_debug_or_open_hosts_refuses_to_start() -> None:
    result = _sifa(
        "check",
        SIFA_SECRET_KEY="x" * 50,
        SIFA_DEBUG="1",
        SIFA_ALLOWED_HOSTS="*",
        SIFA_PERSONAL_DATA_KEYS="k1:" + "A" * 43,
        SIFA_BLIND_INDEX_KEY="B" * 43,
    )
    assert result.returncode == 2 and "SIFA_DEBUG" in result.stderr and "no '*'" in result.stderr


def test_database_unavailable_gives_a_message_not_a_traceback() -> None:
    result = _sifa(
        "serve", SIFA_MODE="development", SIFA_DATABASE_URL="postgres://postgres@127.0.0.1:1/sifa_nowhere"
    )
    assert result.returncode == 3
    assert "无法连接数据库" in result.stderr and "Traceback" not in result.stderr

"""The `sifa` command as an operator types it."""

from __future__ import annotations

import subprocess
import sys


def _sifa(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sifa.cli", *args],
        capture_output=True,
        text=True,
        env={"PATH": "", "HOME": "/tmp", **env},
        timeout=60,
        check=False,
    )


def test_deadline_five_workdays_across_national_day_2025() -> None:
    """行政复议法 Art 88 / 民事诉讼法 Art 85: the start day is not counted; 2025-10-01…08 are holidays
    and Saturday 10-11 is a 调休 working day (国办发明电〔2024〕12号), so 5 working days after 09-28
    (itself a 调休 working day) are 09-29, 09-30, 10-09, 10-10, 10-11."""
    result = _sifa("deadline", "2025-09-28", "5", "workdays")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "2025-10-11"


def test_deadline_natural_days_ending_on_a_rest_day_roll_forward() -> None:
    """A 15-day period from 2026-09-16 ends on 10-01 (National Day) and rolls to the first working day."""
    result = _sifa("deadline", "2026-09-16", "15", "days")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "2026-10-08"


def test_deadline_bad_arguments_exit_2_naming_the_argument() -> None:
    for args, name in (
        (("2025-02-30", "5", "days"), "START"),
        (("2025-01-02", "x", "days"), "N"),
        (("2025-01-02", "5", "weeks"), "UNIT"),
    ):
        result = _sifa("deadline", *args)
        assert result.returncode == 2
        assert name in result.stderr + result.stdout


def test_help_lists_the_commands() -> None:
    result = _sifa("--help")
    for command in ("demo", "serve", "worker", "check", "loaddivisions", "holidays", "deadline", "advice"):
        assert command in result.stdout


def _production_env(broker: str) -> dict[str, str]:
    return {
        "SIFA_MODE": "production",
        "SIFA_SECRET_KEY": "k" * 50,
        "SIFA_ALLOWED_HOSTS": "sifa.example.gov.cn",
        "SIFA_PERSONAL_DATA_KEYS": "k1:" + "A" * 43,
        "SIFA_BLIND_INDEX_KEY": "B" * 43,
        "SIFA_DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
        "SIFA_REDIS_URL": "redis://127.0.0.1:6379/14",
        "SIFA_BROKER_URL": broker,
    }


def test_check_in_production_mode_on_postgresql_and_redis() -> None:
    from sifa.platform.testing.services import require_service

    require_service("postgresql")
    require_service("redis")
    result = _sifa("check", **_production_env("redis://127.0.0.1:6379/14"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "mode: production" in result.stdout and "[FAIL]" not in result.stdout
    assert "[ok]   database: postgresql" in result.stdout and "RedisCache" in result.stdout


def test_check_in_production_mode_with_rabbitmq_broker() -> None:
    from sifa.platform.testing.services import require_service

    require_service("rabbitmq")
    require_service("postgresql")
    require_service("redis")
    result = _sifa("check", **_production_env("amqp://guest:guest@127.0.0.1:5672//"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[ok]   broker: 127.0.0.1:5672//" in result.stdout


def test_check_names_an_unreachable_broker() -> None:
    env = {
        **_production_env("redis://127.0.0.1:1/0"),
        "SIFA_MODE": "development",
        "SIFA_DATABASE_URL": "sqlite:////tmp/sifa-check-test.sqlite3",
    }
    result = _sifa("check", **env)
    assert result.returncode == 1
    assert "[FAIL] broker" in result.stdout

"""The `sifa` command as an operator types it."""

from __future__ import annotations

import subprocess
import sys


def _sifa(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sifa.cli", *args], capture_output=True, text=True,
                          env={"PATH": "", "HOME": "/tmp", **env}, timeout=60, check=False)


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
    for args, name in ((("2025-02-30", "5", "days"), "START"), (("2025-01-02", "x", "days"), "N"),
                       (("2025-01-02", "5", "weeks"), "UNIT")):
        result = _sifa("deadline", *args)
        assert result.returncode == 2
        assert name in result.stderr + result.stdout


def test_help_lists_the_commands() -> None:
    result = _sifa("--help")
    for command in ("demo", "serve", "worker", "check", "loaddivisions", "holidays", "deadline", "advice"):
        assert command in result.stdout

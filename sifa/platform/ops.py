"""Running Sifa: the demo launcher, the production processes and the connectivity check."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management import call_command


def connectivity_report() -> tuple[bool, list[str]]:
    """One line per dependency: database, broker, cache, fonts/browser for documents."""
    from django.core.cache import cache
    from django.db import connection

    lines = [
        f"mode: {settings.MODE}",
        f"debug: {settings.DEBUG}",
        f"allowed hosts: {', '.join(settings.ALLOWED_HOSTS)}",
    ]
    ok = True

    def check(label: str, fn: Any) -> None:
        nonlocal ok
        try:
            detail = fn()
            lines.append(f"[ok]   {label}{': ' + detail if detail else ''}")
        except Exception as exc:
            ok = False
            lines.append(f"[FAIL] {label}: {(str(exc).strip() or type(exc).__name__).splitlines()[0]}")

    def db() -> str:
        connection.ensure_connection()
        from django.db.migrations.executor import MigrationExecutor

        pending = MigrationExecutor(connection).migration_plan(
            MigrationExecutor(connection).loader.graph.leaf_nodes()
        )
        return f"{connection.vendor} {connection.settings_dict.get('NAME')}" + (
            f" — {len(pending)} migrations pending (run: sifa manage migrate)" if pending else ""
        )

    def broker() -> str:
        from sifa.config.celery import app

        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=3)
        return settings.CELERY_BROKER_URL.split("@")[-1]

    def cache_check() -> str:
        cache.set("sifa-check", "1", 10)
        if cache.get("sifa-check") != "1":
            raise RuntimeError("cache did not return the value just written")
        return settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]

    check("database", db)
    check("broker", broker)
    check("cache", cache_check)
    return ok, lines


def _demo_banner(port: int, logins: list[tuple[str, str, str]], *, running: bool = True) -> str:
    rows = "\n".join(f"  {user:<22} {password:<16} {who}" for user, password, who in logins)
    head = "Sifa is running" if running else "Demo data ready; start it with `sifa demo`"
    return (
        f"\n{head}: http://127.0.0.1:{port}/\n"
        f"Demo logins (username / password):\n{rows}\n"
        "API: /api/   OpenAPI schema: /api/schema/   Stop with Ctrl-C.\n"
    )


def run_demo(*, size: str, port: int, start: bool, reset: bool) -> int:
    from sifa.platform.demo import DEMO_PASSWORD, demo_logins, load_demo

    if reset and settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        from django.db import connection

        connection.close()
        for suffix in ("", "-wal", "-shm"):
            path = f"{settings.DATABASES['default']['NAME']}{suffix}"
            if os.path.exists(path):
                os.remove(path)
    call_command("migrate", interactive=False, verbosity=0)
    print(load_demo(size=size))
    logins = [(u, DEMO_PASSWORD, who) for u, who in demo_logins()]
    if not start:
        print(_demo_banner(port, logins, running=False))
        return 0
    env = {**os.environ, "SIFA_MODE": "development", "DJANGO_SETTINGS_MODULE": "sifa.config.settings"}
    procs = [
        subprocess.Popen(  # noqa: S603 - our own interpreter and modules
            [
                sys.executable,
                "-m",
                "gunicorn",
                "sifa.config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--timeout",
                "60",
                "--access-logfile",
                "-",
            ],
            env=env,
        ),
        subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "sifa.config.celery",
                "worker",
                "--beat",
                "--loglevel",
                "INFO",
                "--concurrency",
                "1",
                "--schedule",
                str(settings.VAR_DIR / "celerybeat-schedule"),
            ],
            env=env,
        ),
    ]
    mqtt = _mqtt_address()
    if mqtt is not None and apps.is_installed("sifa.penal.monitoring"):
        # Devices may also report over MQTT when a broker runs here; the embedded default needs none.
        procs.append(
            subprocess.Popen(  # noqa: S603
                [
                    sys.executable,
                    "-m",
                    "sifa.cli",
                    "manage",
                    "monitoring_mqtt",
                    "--host",
                    mqtt[0],
                    "--port",
                    str(mqtt[1]),
                    "--client-id",
                    f"sifa-demo-{port}",
                ],
                env=env,
            )
        )
        print(f"MQTT consumer: devices may publish to mqtt://{mqtt[0]}:{mqtt[1]} sifa/devices/<id>/position")
    time.sleep(1.5)
    print(_demo_banner(port, logins), flush=True)
    return _supervise(procs)


def _mqtt_address() -> tuple[str, int] | None:
    """The MQTT broker to consume from: SIFA_MQTT_HOST/PORT, or a local Mosquitto if one answers."""
    import socket

    host = os.environ.get("SIFA_MQTT_HOST", "127.0.0.1")
    port = int(os.environ.get("SIFA_MQTT_PORT", "1883"))
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return host, port
    except OSError:
        return None


def _supervise(procs: list[subprocess.Popen[bytes]]) -> int:
    def stop(*_args: Any) -> None:
        for p in procs:
            if p.poll() is None:
                p.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
    return max((p.returncode or 0) for p in procs) if any(p.returncode for p in procs) else 0


def serve(*, bind: str, workers: int) -> int:
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "sifa.config.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
    ]
    os.execv(sys.executable, argv)  # noqa: S606 - replaces this process with gunicorn


def worker(*, beat: bool, concurrency: int) -> int:
    argv = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "sifa.config.celery",
        "worker",
        "--loglevel",
        "INFO",
        "--concurrency",
        str(concurrency),
    ]
    if beat:
        argv += ["--beat", "--schedule", str(settings.VAR_DIR / "celerybeat-schedule")]
    os.execv(sys.executable, argv)  # noqa: S606

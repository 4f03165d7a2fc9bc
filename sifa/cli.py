"""The ``sifa`` command.

sifa demo                       create the database, load demo data, start web + worker + beat
sifa serve / sifa worker        production processes (settings from the environment)
sifa check                      configuration and connectivity (database, broker, cache)
sifa loaddivisions FILE         import a code,name,parent_code,level CSV
sifa moveorg ORG PARENT --reason TEXT   move an org and its subtree under another org (区划调整)
sifa holidays load FILE         load a year's State Council holiday notice
sifa deadline START N UNIT      due date of a statutory period (UNIT: days | workdays)
sifa advice ...                 smart advice: classify / cite / ask / eval / train
sifa manage ...                 any Django management command
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence


def _django(development: bool = False) -> None:
    """Configure Django once. ``development`` opts in to the embedded default (explicitly)."""
    if development:
        os.environ.setdefault("SIFA_MODE", "development")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sifa.config.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        print(f"sifa: configuration error / 配置错误:\n{exc}", file=sys.stderr)
        raise SystemExit(2) from exc


def _database_ready() -> None:
    """Fail with a clear message (not a traceback) when the database cannot be reached."""
    from django.db import connection
    from django.db.utils import OperationalError

    try:
        connection.ensure_connection()
    except OperationalError as exc:
        settings_db = connection.settings_dict
        where = settings_db.get("HOST") or settings_db.get("NAME")
        print(
            f"sifa: 无法连接数据库 / cannot connect to the database ({connection.vendor} "
            f"at {where}): {str(exc).strip().splitlines()[0]}\n"
            "Check SIFA_DATABASE_URL and that the server is running (see docs/operations.md).",
            file=sys.stderr,
        )
        raise SystemExit(3) from exc


def cmd_manage(args: argparse.Namespace, rest: list[str]) -> int:
    _django(development=args.dev)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["sifa manage", *rest])
    return 0


def cmd_check(args: argparse.Namespace, rest: list[str]) -> int:
    _django(development=args.dev)
    from sifa.platform.ops import connectivity_report

    ok, lines = connectivity_report()
    print("\n".join(lines))
    return 0 if ok else 1


def cmd_demo(args: argparse.Namespace, rest: list[str]) -> int:
    _django(development=True)
    _database_ready()
    from sifa.platform.ops import run_demo

    return run_demo(size=args.size, port=args.port, start=not args.no_start, reset=args.reset)


def cmd_serve(args: argparse.Namespace, rest: list[str]) -> int:
    _django(development=args.dev)
    _database_ready()
    from sifa.platform.ops import serve

    return serve(bind=args.bind, workers=args.workers)


def cmd_worker(args: argparse.Namespace, rest: list[str]) -> int:
    _django(development=args.dev)
    _database_ready()
    from sifa.platform.ops import worker

    return worker(beat=args.beat, concurrency=args.concurrency)


def cmd_loaddivisions(args: argparse.Namespace, rest: list[str]) -> int:
    _django(development=args.dev)
    _database_ready()
    from sifa.platform.orgs.divisions import DivisionImportError, parse_division_csv
    from sifa.platform.orgs.services import import_divisions

    try:
        with open(args.file, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as exc:
        print(
            f"sifa loaddivisions: FILE: 无法读取文件 / cannot read {args.file}: {exc.strerror}",
            file=sys.stderr,
        )
        return 2
    try:
        result = import_divisions(rows=parse_division_csv(text))
    except DivisionImportError as exc:
        print(f"sifa loaddivisions: {exc}", file=sys.stderr)
        return 2
    print(f"导入完成 / imported: {result['created']} created, {result['updated']} updated")
    return 0


def cmd_moveorg(args: argparse.Namespace, rest: list[str]) -> int:
    _django(development=args.dev)
    _database_ready()
    from django.core.exceptions import ValidationError

    from sifa.platform.orgs.models import Org
    from sifa.platform.orgs.services import move_org

    names = dict(Org.objects.filter(pk__in=[args.org, args.parent]).values_list("pk", "name"))
    try:
        moved = move_org(acting_user=None, org=args.org, new_parent=args.parent, reason=args.reason)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            print(f"sifa moveorg: {field.upper()}: {'；'.join(messages)}", file=sys.stderr)
        return 2
    moved_count = Org.objects.filter(path__startswith=moved.path).count()
    print(
        f"已调整 / moved: {names.get(args.org)} → {names.get(args.parent)}"
        f"（{moved_count} 个机构 / orgs, path {moved.path}）"
    )
    return 0


def cmd_holidays(args: argparse.Namespace, rest: list[str]) -> int:
    _django(development=args.dev)
    _database_ready()
    from sifa.platform.workflow.holidays import holidays_cli

    return holidays_cli(args.action, args.file)


def cmd_deadline(args: argparse.Namespace, rest: list[str]) -> int:
    """Uses the same calendar as the workflows, including notices loaded into the database."""
    notices = None
    if os.environ.get("SIFA_MODE") or os.environ.get("SIFA_DATABASE_URL"):
        try:
            _django(development=args.dev)
            from sifa.platform.workflow.holidays import loaded_notices

            notices = loaded_notices()
        except SystemExit:
            raise
        except Exception as exc:
            print(
                f"sifa deadline: 未读取数据库中的放假通知 / notices table unavailable ({exc})",
                file=sys.stderr,
            )
    from sifa.platform.calendar.cli import deadline_cli

    return deadline_cli(rest, notices=notices)


def cmd_advice(args: argparse.Namespace, rest: list[str]) -> int:
    from sifa.intelligence.cli import main as advice_main

    return advice_main(rest)


def cmd_simulate(args: argparse.Namespace, rest: list[str]) -> int:
    _django(development=args.dev)
    from sifa.penal.monitoring.simulate import simulate_cli

    return simulate_cli(rest)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sifa", description="数字法治·智慧司法 platform")
    parser.add_argument(
        "--dev", action="store_true", help="development mode (SQLite under var/, generated keys)"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("demo", help="create the DB, load demo data and start web + worker + beat")
    p.add_argument("--size", choices=["small", "medium", "province"], default="medium")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--no-start", action="store_true", help="load the data and exit")
    p.add_argument("--reset", action="store_true", help="delete the demo database first")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("serve", help="the web server (gunicorn)")
    p.add_argument("--bind", default=os.environ.get("SIFA_BIND", "127.0.0.1:8000"))
    p.add_argument("--workers", type=int, default=int(os.environ.get("SIFA_WEB_WORKERS", "2")))
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("worker", help="a Celery worker")
    p.add_argument("--beat", action="store_true", help="also run the periodic scheduler in this process")
    p.add_argument("--concurrency", type=int, default=2)
    p.set_defaults(func=cmd_worker)

    sub.add_parser("check", help="configuration and connectivity").set_defaults(func=cmd_check)

    p = sub.add_parser("loaddivisions", help="import divisions from a code,name,parent_code,level CSV")
    p.add_argument("file", metavar="FILE")
    p.set_defaults(func=cmd_loaddivisions)

    p = sub.add_parser("moveorg", help="move an org and its subtree under another org (区划调整)")
    p.add_argument("org", type=int, help="id of the org to move")
    p.add_argument("parent", type=int, help="id of its new parent org")
    p.add_argument("--reason", required=True, help="why (kept in the change log)")
    p.set_defaults(func=cmd_moveorg)

    p = sub.add_parser("holidays", help="State Council holiday notices")
    p.add_argument("action", choices=["load", "list"])
    p.add_argument("file", metavar="FILE", nargs="?")
    p.set_defaults(func=cmd_holidays)

    p = sub.add_parser("deadline", help="due date of a statutory period", add_help=False)
    p.set_defaults(func=cmd_deadline, passthrough=True)
    p = sub.add_parser("advice", help="smart advice (classify/cite/ask/eval/train)", add_help=False)
    p.set_defaults(func=cmd_advice, passthrough=True)
    p = sub.add_parser("simulate", help="simulated devices for electronic monitoring", add_help=False)
    p.set_defaults(func=cmd_simulate, passthrough=True)
    p = sub.add_parser("manage", help="a Django management command", add_help=False)
    p.set_defaults(func=cmd_manage, passthrough=True)
    return parser


PASSTHROUGH = {"deadline", "advice", "simulate", "manage"}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    # Sub-commands with their own parsers get everything after their name untouched.
    split = next((i for i, a in enumerate(argv) if a in PASSTHROUGH), None)
    if split is not None and all(a.startswith("-") for a in argv[:split]):
        args = parser.parse_args(argv[: split + 1])
        rest = argv[split + 1 :]
    else:
        args = parser.parse_args(argv)
        rest = []
    return int(args.func(args, rest) or 0)


if __name__ == "__main__":
    raise SystemExit(main())

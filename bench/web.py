"""Web list benchmark: the scoped list API and list page at 100k rows on PostgreSQL.

    .venv/bin/python bench/web.py [--rows 100000] [--requests 300] [--warmup 30]

What it does, in one run (a few minutes on 2 cores):

1. drops and recreates a dedicated PostgreSQL database (default ``sifa_bench`` on 127.0.0.1:5432,
   user postgres), runs the Django migrations into it and loads ``load_demo(size="medium")``
   (Jiangxi: ~1,000 orgs and their users);
2. bulk-inserts ``--rows`` audit ``ChangeLog`` rows spread uniformly over all orgs (a scoped,
   org-owned, append-only model: the largest table the platform has today);
3. serves the platform with gunicorn on 127.0.0.1 (the real middleware stack: sessions, CSRF,
   locale, OTP, idle timeout, axes…) and times, round-robin so background load hits all alike:

   * ``api scoped``    — the list API as a county bureau head (sees ~1% of the rows: a prefix match
                         on the org's materialised path);
   * ``api unscoped``  — the *same* viewset, user, permission check, serializer, filter backend and
                         paginator with only ``restrict()`` bypassed: the baseline;
   * ``api province``  — the scoped API as the province admin (a prefix match that covers the
                         whole tree, i.e. scoping's worst case: every row passes the filter);
   * ``page scoped``   — the real audit list page (``/audit/``) as the county bureau head;
   * ``page unscoped`` — the same page class with ``scoped_queryset()`` bypassed;

4. counts SQL queries per request (in-process, ``CaptureQueriesContext``) at page sizes 10, 50 and
   200, and prints ``EXPLAIN (ANALYZE, BUFFERS)`` of the scoped request's count and page queries.

There is no ChangeLog list API in the platform yet, so the API endpoints are bench-only viewsets
built exactly as an app would build one (a subclass of ``ScopedReadOnlyViewSet``); they are mounted
on a bench-only URLconf that also includes every real platform URL.

The last line is ``RESULT list_api_p99_ms=<n> baseline_p99_ms=<n> queries_per_request=<n>``.
Targets (issue 3): p99 <= 300 ms and <= 1.5x the unscoped baseline; queries constant in page size.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import socket
import subprocess
import sys
import time
import types
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._common import Latency, format_table, process_rss_mb  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/sifa_bench"
URLCONF = "sifa_bench_urls"
PAGE_SIZES = (10, 50, 200)
API_PAGE_SIZE = 50  # REST_FRAMEWORK["PAGE_SIZE"]: what a client gets without asking
COUNTY_USER = "donghu_head"  # 东湖区司法局负责人: a county bureau head, may view the audit log
PROVINCE_USER = "admin"
SEED = 2026
P99_TARGET_MS = 300.0
BASELINE_RATIO_TARGET = 1.5


class BenchError(SystemExit):
    """A setup problem reported as one clear line (exit status 2), not a traceback."""

    def __init__(self, message: str) -> None:
        print(f"bench/web.py: {message}", file=sys.stderr)
        super().__init__(2)


# --- environment and database ---------------------------------------------------------------------


def configure_environment(database_url: str) -> None:
    os.environ["SIFA_MODE"] = "development"
    os.environ["SIFA_DATABASE_URL"] = database_url
    os.environ["SIFA_DEBUG"] = "0"  # measure what production runs: no query log, no debug pages
    os.environ["DJANGO_SETTINGS_MODULE"] = "sifa.config.settings"
    os.environ.setdefault("SIFA_LOG_LEVEL", "WARNING")  # keep axes' per-login INFO lines out of the table


def recreate_database(database_url: str) -> None:
    """Drop and create the bench database so every run starts from the same state."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        raise BenchError(f"refusing to drop database {name!r}: its name must contain 'bench'")
    admin_url = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    try:
        conn = psycopg.connect(admin_url, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise BenchError(
            f"PostgreSQL is not reachable at {parts.hostname}:{parts.port or 5432} ({reason}). "
            "Start it (e.g. `service postgresql start`) or pass --database-url."
        ) from None
    with conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def load_data(rows: int) -> dict[str, Any]:
    """Migrate, load the medium demo tree, bulk-insert ``rows`` ChangeLog rows over all orgs."""
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from sifa.platform.accounts.models import User
    from sifa.platform.audit.models import ChangeAction, ChangeLog
    from sifa.platform.demo import load_demo
    from sifa.platform.orgs.models import Org

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(load_demo(size="medium"))
    rng = random.Random(SEED)
    orgs = list(Org.objects.order_by("pk").values_list("pk", flat=True))
    staff_by_org: dict[int, list[int]] = {}
    for pk, org_id in User.objects.exclude(org=None).values_list("pk", "org_id"):
        staff_by_org.setdefault(org_id, []).append(pk)
    all_staff = [pk for pks in staff_by_org.values() for pk in pks]
    actions = [c.value for c in ChangeAction]
    object_types = ["orgs.org", "accounts.user", "people.person", "workflow.task", "documents.document"]
    now = timezone.now()
    # auto_now_add would stamp all rows with "now"; a realistic log spans a year so ordering by
    # time means something. UPDATE is refused by the append-only trigger, so set it at insert.
    time_field = ChangeLog._meta.get_field("time")
    time_field.auto_now_add = False
    try:
        batch: list[ChangeLog] = []
        for i in range(rows):
            org_id = rng.choice(orgs)
            actor_id = rng.choice(staff_by_org.get(org_id) or all_staff)
            number = rng.randrange(1, 1_000_000)
            batch.append(
                ChangeLog(
                    time=now - timedelta(seconds=rng.randrange(365 * 86400)),
                    actor_id=actor_id,
                    actor_org_id=org_id,
                    org_id=org_id,
                    request_id=f"{rng.getrandbits(128):032x}",
                    action=rng.choice(actions),
                    object_type=rng.choice(object_types),
                    object_id=str(number),
                    object_repr=f"记录{number}",
                    before=None if i % 3 == 0 else {"status": "draft", "version": i % 7},
                    after={"status": "submitted", "version": i % 7 + 1},
                )
            )
            if len(batch) == 5000:
                ChangeLog.objects.bulk_create(batch)
                batch = []
        if batch:
            ChangeLog.objects.bulk_create(batch)
    finally:
        time_field.auto_now_add = True
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # fresh statistics, as autovacuum would give a live system
    county = User.objects.select_related("org").get(username=COUNTY_USER)
    subtree = set(Org.objects.filter(path__startswith=county.org.path).values_list("pk", flat=True))
    return {
        "seconds": time.perf_counter() - started,
        "orgs": len(orgs),
        "rows": ChangeLog.objects.count(),
        "county_org": county.org.name,
        "county_subtree": subtree,
        "county_rows": ChangeLog.objects.filter(org__in=subtree).count(),
    }


# --- bench-only endpoints (built as an app would build them) -----------------------------------


def install_urlconf() -> None:
    """Mount the bench endpoints next to every real platform URL and make that the root URLconf."""
    from django.conf import settings
    from django.urls import clear_url_caches, include, path
    from rest_framework import serializers
    from rest_framework.routers import SimpleRouter
    from rest_framework.viewsets import ReadOnlyModelViewSet

    from sifa.config import urls as platform_urls
    from sifa.platform.api.viewsets import ScopedReadOnlyViewSet
    from sifa.platform.audit.models import ChangeLog
    from sifa.platform.audit.pages import ChangeLogListView

    class ChangeLogSerializer(serializers.ModelSerializer):
        actor_name = serializers.CharField(source="actor.username", default="", read_only=True)
        org_name = serializers.CharField(source="org.name", default="", read_only=True)
        action_label = serializers.CharField(source="get_action_display", read_only=True)

        class Meta:
            model = ChangeLog
            fields = [
                "id", "time", "actor", "actor_name", "org", "org_name", "action", "action_label",
                "request_id", "object_type", "object_id", "object_repr", "before", "after", "note",
            ]  # fmt: skip

    class ChangeLogViewSet(ScopedReadOnlyViewSet):
        queryset = ChangeLog.objects.select_related("actor", "org")
        serializer_class = ChangeLogSerializer
        filterset_fields = ["action", "object_type", "org"]

    class UnscopedChangeLogViewSet(ChangeLogViewSet):
        """Baseline: everything above except restrict() — the one difference is the scoping."""

        def get_queryset(self) -> Any:
            return ReadOnlyModelViewSet.get_queryset(self)

    class SizedChangeLogPage(ChangeLogListView):
        """The real audit page class, with the page size taken from ?page_size (for query counts)."""

        def get_paginate_by(self, queryset: Any) -> int:
            return int(self.request.GET.get("page_size", self.paginate_by))

    class UnscopedChangeLogPage(SizedChangeLogPage):
        def scoped_queryset(self) -> Any:
            return ChangeLog.objects.all()

    router = SimpleRouter()
    router.register("changelog", ChangeLogViewSet, basename="bench-changelog")
    router.register("changelog-unscoped", UnscopedChangeLogViewSet, basename="bench-changelog-unscoped")
    module = types.ModuleType(URLCONF)
    module.urlpatterns = [  # type: ignore[attr-defined]
        path("bench/api/", include(router.urls)),
        path("bench/page/scoped/", SizedChangeLogPage.as_view()),
        path("bench/page/unscoped/", UnscopedChangeLogPage.as_view()),
        *platform_urls.urlpatterns,
    ]
    sys.modules[URLCONF] = module
    settings.ROOT_URLCONF = URLCONF
    clear_url_caches()


def wsgi_app() -> Any:
    """gunicorn entry point (``bench.web:wsgi_app()``); the environment comes from the parent."""
    import django

    django.setup()
    install_urlconf()
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


ENDPOINTS = {  # name: (login, path)
    "api scoped": (COUNTY_USER, "/bench/api/changelog/"),
    "api unscoped": (COUNTY_USER, "/bench/api/changelog-unscoped/"),
    "api province": (PROVINCE_USER, "/bench/api/changelog/"),
    "page scoped": (COUNTY_USER, "/audit/"),
    "page unscoped": (COUNTY_USER, "/bench/page/unscoped/"),
}


# --- measurements -----------------------------------------------------------------------------------


def logged_in_clients() -> dict[str, Any]:
    from django.test import Client

    from sifa.platform.accounts.models import User

    clients = {}
    for username in (COUNTY_USER, PROVINCE_USER):
        client = Client(HTTP_ACCEPT="application/json")
        client.force_login(
            User.objects.get(username=username), backend="sifa.platform.accounts.backends.RoleBackend"
        )
        clients[username] = client
    return clients


def count_queries(clients: dict[str, Any], info: dict[str, Any]) -> dict[str, dict[int, int]]:
    """Queries per request at each page size, with a check that the scoped list really is scoped."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    targets = {
        "api scoped": (COUNTY_USER, "/bench/api/changelog/"),
        "api unscoped": (COUNTY_USER, "/bench/api/changelog-unscoped/"),
        "page scoped": (COUNTY_USER, "/bench/page/scoped/"),
        "page unscoped": (COUNTY_USER, "/bench/page/unscoped/"),
    }
    counts: dict[str, dict[int, int]] = {}
    for name, (user, url) in targets.items():
        counts[name] = {}
        # One request first: the idle-timeout stamp is written to the session at most once a minute,
        # and that write must not be counted against whichever page size happens to come first.
        clients[user].get(url, {"page_size": PAGE_SIZES[0]})
        for size in PAGE_SIZES:
            with CaptureQueriesContext(connection) as ctx:
                response = clients[user].get(url, {"page_size": size})
            if response.status_code != 200:
                raise BenchError(f"{name} answered {response.status_code} at page_size={size}")
            counts[name][size] = len(statements(ctx.captured_queries))
            if name == "api scoped" and size == API_PAGE_SIZE:
                print(f"\nSQL of one scoped list API request (page_size={size}):")
                for sql in statements(ctx.captured_queries):
                    print("   ", sql[:100] + ("…" if len(sql) > 100 else ""))
            if name == "api scoped":
                body = response.json()
                outside = [r["id"] for r in body["results"] if r["org"] not in info["county_subtree"]]
                expected = min(size, info["county_rows"])
                if outside or body["count"] != info["county_rows"] or len(body["results"]) != expected:
                    raise BenchError(f"scoped API returned the wrong rows (count {body['count']})")
    return counts


def statements(captured: list[dict[str, Any]]) -> list[str]:
    """The SQL statements of a request; transaction control (BEGIN/COMMIT…) is not a query."""
    control = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")
    return [q["sql"] for q in captured if not q["sql"].lstrip().upper().startswith(control)]


def explain_scoped(client: Any) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of the SQL the scoped list API runs against audit_changelog."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get("/bench/api/changelog/", {"page_size": API_PAGE_SIZE})
    out = []
    with connection.cursor() as cursor:
        for query in ctx.captured_queries:
            sql = query["sql"]
            if "audit_changelog" not in sql or not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            out.append(sql + "\n" + "\n".join("    " + row[0] for row in cursor.fetchall()))
    return "\n\n".join(out)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "gunicorn", "--chdir", str(ROOT), "--workers", "1",
        "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "bench.web:wsgi_app()",
    ]  # fmt: skip
    server = subprocess.Popen(command, env=os.environ.copy())
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchError(f"gunicorn exited with status {server.returncode} before serving")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise BenchError("gunicorn did not start listening within 60 s")


def worker_pid(server: subprocess.Popen[bytes]) -> int | None:
    try:
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    except OSError:
        return None
    return int(children[0]) if children else None


def http_get(port: int, path: str, cookie: str) -> float:
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Cookie": cookie, "Accept": "application/json, text/html"})
        response = conn.getresponse()
        response.read()
    finally:
        conn.close()
    elapsed = time.perf_counter() - start
    if response.status != 200:
        raise BenchError(f"GET {path} answered {response.status}")
    return elapsed


def time_endpoints(port: int, cookies: dict[str, str], requests: int, warmup: int) -> dict[str, Latency]:
    """Round-robin over the endpoints, so load from other processes on the machine hits all alike."""
    samples: dict[str, list[float]] = {name: [] for name in ENDPOINTS}
    for i in range(warmup + requests):
        for name, (user, path) in ENDPOINTS.items():
            elapsed = http_get(port, path, cookies[user])
            if i >= warmup:
                samples[name].append(elapsed)
    return {name: Latency.of(values) for name, values in samples.items()}


# --- main -------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="ChangeLog rows to insert")
    parser.add_argument("--requests", type=int, default=300, help="timed requests per endpoint")
    parser.add_argument("--warmup", type=int, default=30, help="untimed requests per endpoint first")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("SIFA_BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="PostgreSQL URL of the bench database; it is DROPPED and recreated (name must contain 'bench')",
    )
    parser.add_argument("--explain", action=argparse.BooleanOptionalAction, default=True)
    args = parser.parse_args(argv)
    if args.rows < max(PAGE_SIZES) * 10 or args.requests < 1 or args.warmup < 0:
        parser.error(f"--rows must be >= {max(PAGE_SIZES) * 10}, --requests >= 1, --warmup >= 0")

    recreate_database(args.database_url)
    configure_environment(args.database_url)
    import django

    django.setup()
    info = load_data(args.rows)
    print(
        f"data: {info['rows']} ChangeLog rows over {info['orgs']} orgs; county user {COUNTY_USER} "
        f"({info['county_org']}, {len(info['county_subtree'])} orgs in subtree) sees {info['county_rows']} "
        f"rows; setup took {info['seconds']:.1f} s"
    )
    install_urlconf()
    clients = logged_in_clients()
    queries = count_queries(clients, info)
    if args.explain:
        print("\nEXPLAIN (ANALYZE, BUFFERS) of the scoped list API's queries on audit_changelog:\n")
        print(explain_scoped(clients[COUNTY_USER]))
    cookies = {user: f"sessionid={c.cookies['sessionid'].value}" for user, c in clients.items()}
    from django.db import connections

    connections.close_all()

    port = free_port()
    server = start_server(port)
    try:
        latencies = time_endpoints(port, cookies, args.requests, args.warmup)
        server_rss = process_rss_mb(worker_pid(server) or server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)

    def queries_cell(name: str) -> str:
        per_size = queries.get(name)
        return "/".join(str(per_size[s]) for s in PAGE_SIZES) if per_size else "-"

    print(
        f"\ngunicorn (1 sync worker) on 127.0.0.1, {args.requests} timed requests per endpoint after "
        f"{args.warmup} warm-up, round-robin; API page size {API_PAGE_SIZE}, list page 25 rows; "
        f"queries per request at page_size {'/'.join(map(str, PAGE_SIZES))}:\n"
    )
    rows = [
        (name, lat.n, lat.p50_ms, lat.p99_ms, lat.mean_ms, lat.max_ms, queries_cell(name))
        for name, lat in latencies.items()
    ]
    print(format_table(["endpoint", "n", "p50 ms", "p99 ms", "mean ms", "max ms", "queries"], rows))
    if server_rss is not None:
        print(f"\nserver worker RSS after the run: {server_rss:.0f} MB")

    scoped, baseline = latencies["api scoped"], latencies["api unscoped"]
    ratio = scoped.p99_ms / baseline.p99_ms
    ratio_p50 = scoped.p50_ms / baseline.p50_ms
    api_queries = queries["api scoped"]
    constant = all(len(set(per_size.values())) == 1 for per_size in queries.values())
    print(
        f"\ntargets: api p99 {scoped.p99_ms:.1f} ms <= {P99_TARGET_MS:.0f} ms: "
        f"{'ok' if scoped.p99_ms <= P99_TARGET_MS else 'MISSED'}; "
        f"p99 / baseline p99 = {ratio:.2f} <= {BASELINE_RATIO_TARGET}: "
        f"{'ok' if ratio <= BASELINE_RATIO_TARGET else 'MISSED'} (p50 ratio {ratio_p50:.2f}); "
        f"queries constant in page size: {'ok' if constant else 'MISSED'}"
    )
    print(
        f"RESULT list_api_p99_ms={scoped.p99_ms:.1f} baseline_p99_ms={baseline.p99_ms:.1f} "
        f"queries_per_request={max(api_queries.values())}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

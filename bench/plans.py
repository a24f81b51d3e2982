"""Query plans at scale: ``EXPLAIN (ANALYZE, BUFFERS)`` on PostgreSQL of

- every list filter of ``GET /api/v1/tickets`` (each SELECT the request runs),
- every metric's query (the KPI registry's metrics, one estate and month, captured from the
  per-estate computation with ``connection.execute_wrapper``),
- every SELECT the managers' dashboard (``/dashboard/``) runs,

printing each plan's top node, time and rows, and flagging a sequential scan of a large table
(more than 10,000 rows): such a query reads the whole table whatever it is asked.

    .venv/bin/python bench/plans.py --database postgres://postgres@127.0.0.1:5432/ed_bench_seed
    .venv/bin/python bench/plans.py --small     # builds 3 small estates itself: a smoke run

Run it on the scale data (``bench/seed_scale.py`` keeps its database). It reads, except that
the estate's dashboard snapshots are computed when it has none (what the consumer would do).
Exits 0 with the flags printed; ``--strict`` exits 1 when a large table is scanned.
"""

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench._db import recreate_database, setup_django  # noqa: E402

SCALE_URL = os.environ.get(
    "BENCH_SEED_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ed_bench_seed"
)
SMALL_URL = os.environ.get(
    "BENCH_PLANS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ed_bench_plans"
)
LARGE_ROWS = 10_000


def setup(url: str, *, small: bool) -> None:
    if small:
        recreate_database(url)
    setup_django(
        migrate=small,
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="estate.settings",
        DEBUG="0",
        HTTPS="0",
        AXES_ENABLED="0",
        ALLOWED_HOSTS="testserver",
        SECRET_KEY="bench-secret-key-" + "s" * 40,
        FIELD_ENCRYPTION_KEY="bench-field-key-" + "f" * 40,
        HUEY_NAME="estatedesk-bench-plans",
        HUEY_IMMEDIATE="1",
        LOG_LEVEL="WARNING",
    )
    if small:
        from django.core.management import call_command

        call_command(
            "seed_demo",
            *("--estates", "3", "--months", "3", "--seed", "1", "--units-per-estate", "60"),
            verbosity=0,
            stdout=open(os.devnull, "w"),  # noqa: SIM115
        )
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def table_rows() -> dict[str, float]:
    """Estimated rows of every table (the statistics ANALYZE keeps)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.reltuples FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname = 'public'"
        )
        return {name: rows for name, rows in cursor.fetchall()}


def _walk(node: dict):
    yield node
    for child in node.get("Plans", []):
        yield from _walk(child)


class Planner:
    def __init__(self, large_rows: int):
        self.sizes = table_rows()
        self.large_rows = large_rows
        self.results: list[tuple[str, float, list[str]]] = []
        self.seen: set[str] = set()

    def explain(self, label: str, sql: str, params=None) -> None:
        from django.db import connection

        key = sql + repr(params)
        if key in self.seen:  # the session and user look-ups of every request: once is enough
            return
        self.seen.add(key)

        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params)
            raw = cursor.fetchone()[0]
        doc = raw[0] if isinstance(raw, list) else raw
        top = doc["Plan"]
        buffers = top.get("Shared Hit Blocks", 0) + top.get("Shared Read Blocks", 0)
        seq = []
        for node in _walk(top):
            if node.get("Node Type") == "Seq Scan":
                table = node.get("Relation Name", "?")
                rows = self.sizes.get(table, 0)
                if rows > self.large_rows:
                    seq.append(f"{table} (~{rows:,.0f} rows)")
        ms = doc.get("Execution Time", 0.0)
        flag = f"  << SEQ SCAN of a large table: {', '.join(seq)}" if seq else ""
        print(
            f"plan {label}: {top['Node Type']}, {ms:.2f} ms, {top.get('Actual Rows', 0)} rows, "
            f"{buffers} buffers{flag}"
        )
        print(f"    sql: {' '.join(sql.split())[:160]}")
        self.results.append((label, ms, seq))


def _selects(captured) -> list[str]:
    return [q["sql"] for q in captured if q["sql"].lstrip().upper().startswith("SELECT")]


def ticket_filters(estate, manager, admin, planner: Planner) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from estate import localtime
    from repairs.models import Category, Ticket

    sample = Ticket.objects.filter(estate=estate).order_by("-id").first()
    technician = (
        Ticket.objects.filter(estate=estate, assignee__isnull=False)
        .values_list("assignee_id", flat=True)
        .first()
    )
    category = Category.objects.filter(estate=estate).order_by("id").first()
    today = localtime.today(estate, now=timezone.now())
    month = today.replace(day=1)
    base = {"estate": estate.code}
    filters = {
        "estate": base,
        "kind": {**base, "kind": "repair"},
        "status": {**base, "status": "in_progress"},
        "reported_from_to": {
            **base,
            "reported_from": (month - dt.timedelta(days=1)).replace(day=1).isoformat(),
            "reported_to": month.isoformat(),
        },
        "overdue": {**base, "overdue": "true"},
        "assignee": {**base, "assignee": technician or 0},
        "category": {**base, "category": category.code if category else "x"},
        "q_number": {**base, "q": sample.number[:-2] if sample else "BX"},
        "q_name": {**base, "q": "王"},
        "deep_page": {**base, "offset": 5000},
        "kind_status_from": {
            **base,
            "kind": "complaint",
            "status": "closed",
            "reported_from": month.isoformat(),
        },
    }
    client = Client()
    client.force_login(manager)
    for name, params in filters.items():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/api/v1/tickets", {"limit": 50, **params})
        if response.status_code != 200:
            print(f"plan tickets.{name}: HTTP {response.status_code} {response.content[:200]!r}")
            continue
        for i, sql in enumerate(_selects(ctx.captured_queries)):
            planner.explain(f"tickets.{name}#{i + 1}", sql)
    client.force_login(admin)
    for name, params in (("all_estates", {"kind": "repair"}), ("all_estates_newest", {})):
        with CaptureQueriesContext(connection) as ctx:
            client.get("/api/v1/tickets", {"limit": 50, **params})
        for i, sql in enumerate(_selects(ctx.captured_queries)):
            planner.explain(f"tickets.{name}#{i + 1}", sql)


def metric_queries(estate, planner: Planner) -> None:
    from django.db import connection
    from django.utils import timezone

    from estate import kpi

    period = kpi.Period.containing(estate.tz, timezone.now()).previous()
    for metric in kpi.metrics():
        captured: list[tuple[str, object]] = []

        def capture(execute, sql, params, many, context, captured=captured):
            captured.append((sql, params))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(capture):
            kpi.compute_all(estate=estate, period=period, keys=[metric.key])
        for i, (sql, params) in enumerate(captured):
            if sql.lstrip().upper().startswith("SELECT"):
                # A group's query serves several metrics: explained once, for its first.
                planner.explain(f"metric.{metric.key}#{i + 1}", sql, params)


def dashboard_queries(estate, manager, planner: Planner) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from estate import kpi, services
    from estate.models import KpiSnapshot

    if not KpiSnapshot.objects.filter(estate=estate).exists():
        current = kpi.Period.containing(estate.tz, timezone.now())
        labels, period = [], current
        for _ in range(12):
            labels.append(period.label)
            period = period.previous()
        started = time.perf_counter()
        services.kpi_snapshots_refresh(estates=[estate], periods=labels)
        print(f"dashboard_snapshots_computed: {time.perf_counter() - started:.1f} s (12 months)")
    client = Client()
    client.force_login(manager)
    client.get("/dashboard/", {"estate": estate.code})  # warm: caches, templates
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/dashboard/", {"estate": estate.code})
    if response.status_code != 200:
        print(f"plan dashboard: HTTP {response.status_code}")
        return
    selects = _selects(ctx.captured_queries)
    print(f"dashboard_queries: {len(ctx.captured_queries)} ({len(selects)} SELECTs)")
    for i, sql in enumerate(selects):
        planner.explain(f"dashboard#{i + 1}", sql)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=None, help=f"default {SCALE_URL}")
    parser.add_argument("--small", action="store_true", help="build small data in its own db")
    parser.add_argument("--estate", default="HY01")
    parser.add_argument("--large-rows", type=int, default=LARGE_ROWS)
    parser.add_argument("--strict", action="store_true", help="exit 1 on a flagged scan")
    args = parser.parse_args()
    url = SMALL_URL if args.small else (args.database or SCALE_URL)
    started = time.perf_counter()
    setup(url, small=args.small)

    from django.contrib.auth import get_user_model

    from estate.models import Estate, Membership, Role

    estate = Estate.objects.filter(code=args.estate).first() or Estate.objects.order_by("code")[0]
    membership = (
        Membership.objects.filter(estate=estate, role=Role.MANAGER).select_related("user").first()
    )
    manager = membership.user if membership else None
    admin = get_user_model().objects.filter(is_superuser=True).first()
    manager = manager or admin
    planner = Planner(args.large_rows)
    big = sorted(((n, t) for t, n in planner.sizes.items() if n > args.large_rows), reverse=True)
    print(f"plans_database: {url} ({len(planner.sizes)} tables, estate {estate.code})")
    print("plans_large_tables: " + (", ".join(f"{t} ~{n:,.0f}" for n, t in big) or "none"))

    from django.conf import settings
    from django.test.utils import override_settings

    # Pages render without collectstatic: the plain storage instead of the manifest.
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain}):
        ticket_filters(estate, manager, admin, planner)
        metric_queries(estate, planner)
        dashboard_queries(estate, manager, planner)

    flagged = [(label, seq) for label, _ms, seq in planner.results if seq]
    slowest = max(planner.results, key=lambda r: r[1]) if planner.results else ("-", 0.0, [])
    one, five, _ = os.getloadavg()
    print(f"plans_explained: {len(planner.results)} queries")
    print(f"plans_total_query_time: {sum(r[1] for r in planner.results):.1f} ms")
    print(f"plans_slowest: {slowest[1]:.2f} ms ({slowest[0]})")
    print(f"plans_seq_scans_of_large_tables: {len(flagged)} queries")
    for label, seq in flagged:
        print(f"    {label}: {', '.join(seq)}")
    print(f"plans_load_average: {one:.2f} / {five:.2f} (1/5 min, {os.cpu_count()} cores)")
    print(f"plans_bench_time: {time.perf_counter() - started:.1f} s")
    if args.small:
        print(f"plans_note: small data; no table is past {args.large_rows} rows, so nothing flags")
    return 1 if args.strict and flagged else 0


if __name__ == "__main__":
    sys.exit(main())

"""Tickets at scale (QUALITY.md): 1,000,000 tickets on PostgreSQL, 100 estates x 12 months.

Prints, one figure per line:
- the time to compute every ticket metric (10 keys) for every estate and month, the way the
  KPI engine does (``repairs.metrics.compute_many``: one query grouped by estate and local
  month), and the same one estate-month at a time (``repairs.metrics.compute``);
- the same for the naive version that loops over rows in Python, timed on a sample of
  estate-months and scaled to all of them; the ratio of the two (target >= 50x);
- the query count and time of the filtered list endpoint (GET /api/v1/tickets) with 10 rows
  in the table and with 1,000,000.

Exits non-zero when the ratio misses its target, when the naive and the database results
differ, or when the list's query count depends on the table size.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ed_bench_tickets .venv/bin/python bench/tickets.py
    .venv/bin/python bench/tickets.py --small    # 2,000 tickets over 5 estates: a smoke run

The database named in DATABASE_URL (default ``ed_bench_tickets``) is dropped and rebuilt.
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import _db  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ed_bench_tickets"
os.environ["DATABASE_URL"] = os.environ.get("BENCH_TICKETS_DATABASE_URL", DEFAULT_URL)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "estate.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
os.environ["DEBUG"] = "0"
os.environ["HTTPS"] = "0"
os.environ["AXES_ENABLED"] = "0"
os.environ["ALLOWED_HOSTS"] = "testserver"
os.environ.pop("REDIS_URL", None)

# --small: 2,000 tickets over 5 estates, a smoke run (the ratio is printed, not judged).
SMALL = "--small" in sys.argv
TICKETS = int(os.environ.get("BENCH_TICKETS", "2000" if SMALL else "1000000"))
ESTATES = 5 if SMALL else 100
MONTHS = 12
NAIVE_SAMPLE = 12  # estate-months timed with the naive loop
SPEEDUP_TARGET = 50
NOW = "2026-11-01 00:00:00+08"  # the 12 months are 2025-11 .. 2026-10, all complete


def _setup() -> None:
    _db.recreate_database(os.environ["DATABASE_URL"])
    _db.setup_django()


def _estates():
    from estate.models import Estate
    from repairs.configuration import defaults_install

    Estate.objects.bulk_create(
        [Estate(code=f"B{i:03d}", name=f"基准小区{i}") for i in range(ESTATES)]
    )
    estates = list(Estate.objects.order_by("code"))
    for estate in estates:
        defaults_install(estate=estate)
    return estates


def _insert(first: int, last: int) -> None:
    """Tickets ``first``..``last`` (1-based) spread over the estates and the 12 months, in one
    INSERT ... SELECT over generate_series: about 3% cancelled, 10% answered late, 20%
    resolved late, 75% of the resolved closed, return visits and ratings for most."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        cur.execute(
            """
            CREATE TEMP TABLE IF NOT EXISTS bench_cat AS
            SELECT e.id AS estate_id, (row_number() OVER (ORDER BY e.id) - 1) AS n, c.kind,
                   array_agg(c.id ORDER BY c.id) AS ids
              FROM estate_estate e JOIN repairs_category c ON c.estate_id = e.id
             GROUP BY e.id, c.kind
            """
        )
        cur.execute(
            """
            CREATE TEMP TABLE IF NOT EXISTS bench_estate AS
            SELECT id, code, (row_number() OVER (ORDER BY code) - 1) AS n FROM estate_estate
            """
        )
        cur.execute("SELECT setseed(%s)", [first / (TICKETS + 1)])
        cur.execute(
            f"""
            INSERT INTO repairs_ticket (
                estate_id, number, tracking_code, kind, category_id, priority, channel,
                common_area, reporter_name, reporter_phone_enc, reporter_phone_masked, reporter_phone_index,
                description, major_complaint, business_hours, status, outcome, reported_at,
                response_due_at, first_response_at, resolve_due_at, resolved_at, closed_at,
                cancelled_at, cancel_reason, held_from_status, reopen_count, is_overdue,
                return_visited_at, return_visit_rating, updated_at, created_by_name, start_blocked)
            SELECT s.estate_id,
                   (CASE s.kind WHEN 'repair' THEN 'BX' WHEN 'complaint' THEN 'TS' ELSE 'JY' END)
                     || '-' || s.code || '-' || to_char(s.rep AT TIME ZONE 'Asia/Shanghai', 'YYMM')
                     || '-' || lpad(s.i::text, 7, '0'),
                   md5(s.i::text || ':' || s.r1::text),
                   s.kind,
                   c.ids[1 + (s.i %% array_length(c.ids, 1))],
                   CASE WHEN s.r5 < 0.8 THEN 'normal' WHEN s.r5 < 0.95 THEN 'urgent'
                        ELSE 'emergency' END,
                   'phone', '1号楼大堂', '王伟', 'x', '138****5678', '', '厨房水管漏水', false, false,
                   CASE WHEN s.cancelled THEN 'cancelled'
                        WHEN s.res >= s.now THEN 'in_progress'
                        WHEN s.r4 < 0.75 THEN 'closed' ELSE 'resolved' END,
                   CASE WHEN s.cancelled OR s.res >= s.now OR s.r4 >= 0.75 THEN ''
                        WHEN s.r5 < 0.9 THEN 'solved' ELSE 'not_solved' END,
                   s.rep,
                   s.rep + interval '30 minutes',
                   CASE WHEN s.cancelled THEN NULL ELSE s.rep + s.r2 * interval '34 minutes' END,
                   s.rep + interval '1 day',
                   CASE WHEN s.cancelled OR s.res >= s.now THEN NULL ELSE s.res END,
                   CASE WHEN s.cancelled OR s.res >= s.now OR s.r4 >= 0.75 THEN NULL
                        ELSE s.res + interval '3 hours' END,
                   CASE WHEN s.cancelled THEN s.rep + interval '20 minutes' END,
                   CASE WHEN s.cancelled THEN 'duplicate' ELSE '' END,
                   '',
                   CASE WHEN NOT s.cancelled AND s.r5 > 0.97 THEN 1 ELSE 0 END,
                   false,
                   CASE WHEN NOT s.cancelled AND s.res < s.now AND s.r4 < 0.85
                        THEN s.res + interval '2 hours' END,
                   CASE WHEN NOT s.cancelled AND s.res < s.now AND s.r4 < 0.7
                        THEN 1 + floor(power(s.r3, 0.4) * 5)::int END,
                   s.now, '', ''
              FROM (
                SELECT g.i, e.id AS estate_id, e.code,
                       CASE WHEN r.r1 < 0.65 THEN 'repair' WHEN r.r1 < 0.9 THEN 'complaint'
                            ELSE 'suggestion' END AS kind,
                       r.rep, r.rep + r.r3 * interval '30 hours' AS res,
                       r.r1 > 0.97 AS cancelled, r.r1, r.r2, r.r3, r.r4, r.r5,
                       timestamptz %s AS now
                  FROM generate_series(%s, %s) AS g(i)
                  JOIN bench_estate e ON e.n = g.i %% {ESTATES}
                  CROSS JOIN LATERAL (
                    SELECT timestamptz '2025-11-01 00:00+08'
                             + (g.i::float8 / %s) * interval '365 days' AS rep,
                           random() AS r1, random() AS r2, random() AS r3, random() AS r4,
                           random() AS r5, g.i AS dep
                  ) r
              ) s
              JOIN bench_cat c ON c.estate_id = s.estate_id AND c.kind = s.kind
            """,
            [NOW, first, last, TICKETS + 1],
        )
        # What autovacuum does after a load: statistics, and the visibility map that lets the
        # rates be read from the covering index alone.
        cur.execute("VACUUM ANALYZE repairs_ticket")


def _periods(estates):
    from estate.kpi import Period

    now = Period.month(estates[0].tz, "2026-11").start
    labels = [
        f"{y}-{m:02d}" for y, m in [(2025, 11), (2025, 12)] + [(2026, k) for k in range(1, 11)]
    ]
    return [(e, Period.month(e.tz, label, now=now)) for e in estates for label in labels]


def _naive(estate, period) -> dict:
    """The naive version: each metric loops over its cohort's rows in Python."""
    from repairs.models import Ticket

    out = {}
    for prefix, kind in (("repairs", "repair"), ("complaints", "complaint")):
        checks = {
            "response_timely_rate": (
                lambda t: (
                    t.first_response_at is not None and t.first_response_at <= t.response_due_at
                ),
                lambda t: t.first_response_at is not None or t.response_due_at < period.now,
            ),
            "timely_rate": (
                lambda t: t.resolved_at is not None and t.resolved_at <= t.resolve_due_at,
                lambda t: t.resolved_at is not None or t.resolve_due_at < period.now,
            ),
            "success_rate": (
                lambda t: t.status == "closed" and t.outcome == "solved" and t.reopen_count == 0,
                lambda t: t.status == "closed",
            ),
            "satisfaction_rate": (
                lambda t: t.return_visit_rating is not None and t.return_visit_rating >= 4,
                lambda t: t.return_visit_rating is not None,
            ),
            "return_visit_rate": (
                lambda t: (
                    t.resolved_at is not None
                    and t.return_visited_at is not None
                    and t.return_visited_at >= t.resolved_at
                ),
                lambda t: t.resolved_at is not None,
            ),
        }
        for name, (num, den) in checks.items():
            n = d = 0
            cohort = Ticket.objects.filter(
                estate=estate, kind=kind, reported_at__gte=period.start, reported_at__lt=period.end
            ).exclude(status="cancelled")
            for t in cohort:
                if den(t):
                    d += 1
                    n += bool(num(t))
            out[f"{prefix}.{name}"] = (n, d)
    return out


def _list_endpoint(client, estate) -> tuple[int, float, int]:
    """(queries, best time in ms of 20, rows returned) of a filtered page of the list."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    params = {
        "estate": estate.code,
        "kind": "repair",
        "reported_from": "2026-10-01",
        "reported_to": "2026-11-01",
        "limit": 50,
    }
    client.get("/api/v1/tickets", params)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/v1/tickets", params)
    queries = len(ctx.captured_queries)  # read now: the next request resets the log
    assert response.status_code == 200, response.content[:300]
    best = float("inf")
    for _ in range(20):
        started = time.perf_counter()
        client.get("/api/v1/tickets", params)
        best = min(best, time.perf_counter() - started)
    return queries, best * 1000, len(response.json()["items"])


def main() -> int:
    started = time.perf_counter()
    _setup()
    from django.test import Client

    from repairs import metrics
    from repairs.models import Ticket
    from tests.factories import make_company_admin

    estates = _estates()
    client = Client()
    client.force_login(make_company_admin("bench-admin"))
    small_last = 10
    _insert(TICKETS - small_last + 1, TICKETS)  # the last ten: all in October 2026
    target = Ticket.objects.order_by("id").first().estate
    q_small, t_small, rows_small = _list_endpoint(client, target)

    build = time.perf_counter()
    _insert(1, TICKETS - small_last)
    build = time.perf_counter() - build
    count = Ticket.objects.count()
    q_big, t_big, rows_big = _list_endpoint(client, target)

    jobs = _periods(estates)
    t0 = time.perf_counter()
    batch = metrics.compute_many(jobs)
    fast = time.perf_counter() - t0
    results = {(e.pk, p.label): r for (e, p), r in zip(jobs, batch, strict=True)}
    t0 = time.perf_counter()
    single = {(e.pk, p.label): metrics.compute(estate=e, period=p) for e, p in jobs}
    per_job = time.perf_counter() - t0

    step = len(jobs) // NAIVE_SAMPLE
    sample = jobs[::step][:NAIVE_SAMPLE]
    t0 = time.perf_counter()
    naive = {(e.pk, p.label): _naive(e, p) for e, p in sample}
    slow = (time.perf_counter() - t0) * len(jobs) / len(sample)
    mismatches = [
        (key, metric)
        for key, values in naive.items()
        for metric, (n, d) in values.items()
        if (results[key][metric].numerator, results[key][metric].denominator) != (n, d)
    ]
    mismatches += [
        (key, metric)
        for key, values in single.items()
        for metric, ratio in values.items()
        if results[key][metric] != ratio
    ]
    ratio = slow / fast

    print(f"tickets: {count} tickets")
    print(f"tickets_build_time: {build:.1f} s")
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    print(f"ticket_metrics_all_estates_months: {fast:.2f} s ({len(jobs)} estate-months x 10 keys)")
    print(f"ticket_metrics_per_estate_month: {per_job:.2f} s (one query per estate-month)")
    print(f"ticket_metrics_naive_scaled: {slow:.2f} s ({len(sample)} estate-months timed)")
    print(f"ticket_metrics_speedup: {ratio:.1f} x")
    print(f"ticket_list_queries_10_rows: {q_small} queries ({rows_small} items)")
    print(f"ticket_list_time_10_rows: {t_small:.1f} ms")
    print(f"ticket_list_queries_1m_rows: {q_big} queries ({rows_big} items)")
    print(f"ticket_list_time_1m_rows: {t_big:.1f} ms")
    print(f"bench_total_time: {time.perf_counter() - started:.0f} s")
    failed = False
    if mismatches:
        print(f"FAILED: naive and database results differ: {mismatches[:5]}", file=sys.stderr)
        failed = True
    if SMALL:
        print("tickets_note: small data; the speedup target is judged on 1,000,000 tickets only")
    elif ratio < SPEEDUP_TARGET:
        print(f"FAILED: speedup {ratio:.1f}x < {SPEEDUP_TARGET}x", file=sys.stderr)
        failed = True
    if q_small != q_big:
        print("FAILED: the list's query count depends on the table size", file=sys.stderr)
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

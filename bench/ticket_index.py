"""Is the 13-column covering index on tickets (``ticket_rates_idx``) worth its cost?

On the 1,000,000-ticket data set of bench/tickets.py (100 estates x 12 months), measured once
with the index and once after dropping it (the other indexes stay, among them
``ticket_list_idx`` on estate and reported_at, which then serves the month's range):

- the time to compute every ticket rate for every estate and month (``repairs.metrics``);
- the write cost of a transition: ``ticket_resolve`` on running tickets, each in its own
  transaction through the service (lock, save, history, hook), mean ms per ticket;
- the raw cost of the write alone: a one-row UPDATE of status and resolved_at, mean ms;
- the index's size on disk.

Prints the load average beside the figures: they count only from a quiet machine.

    .venv/bin/python bench/ticket_index.py            # 1,000,000 tickets
    .venv/bin/python bench/ticket_index.py --small    # 20,000 tickets: a smoke run

The database (default ``ed_bench_index``) is dropped and rebuilt.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SMALL = "--small" in sys.argv
os.environ["BENCH_TICKETS_DATABASE_URL"] = os.environ.get(
    "BENCH_INDEX_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ed_bench_index"
)
if SMALL:
    os.environ["BENCH_TICKETS"] = "20000"

from bench import tickets as builder  # noqa: E402  (sets the environment, then Django)

if SMALL:
    builder.ESTATES = 5
WRITES = 100 if SMALL else 400  # transitions timed per variant
INDEX = "ticket_rates_idx"


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _metrics_time(jobs) -> float:
    """Best of two passes over every estate-month (the first pass also warms the cache)."""
    from repairs import metrics

    best = float("inf")
    for _ in range(2):
        t0 = time.perf_counter()
        for estate, period in jobs:
            metrics.compute(estate=estate, period=period)
        best = min(best, time.perf_counter() - t0)
    return best


def _running(count: int) -> list[int]:
    """``count`` tickets spread over the table, made running again (in progress, unresolved)
    so that each variant resolves its own share."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "UPDATE repairs_ticket SET status = 'in_progress', outcome = '', resolved_at = NULL,"
            " closed_at = NULL, return_visited_at = NULL, return_visit_rating = NULL"
            " WHERE id IN (SELECT id FROM repairs_ticket WHERE status <> 'cancelled'"
            " ORDER BY md5(id::text) LIMIT %s) RETURNING id",
            [count],
        )
        ids = sorted(row[0] for row in cur.fetchall())
        cur.execute("VACUUM ANALYZE repairs_ticket")
    return ids[::2] + ids[1::2]


def _transition_ms(ids, by) -> float:
    from repairs.models import Ticket
    from repairs.services import ticket_resolve

    times = []
    for pk in ids:
        ticket = Ticket.objects.get(pk=pk)
        t0 = time.perf_counter()
        ticket_resolve(ticket=ticket, by=by, note="bench")
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.mean(times)


def _update_ms(ids) -> float:
    from django.db import connection, transaction

    times = []
    with connection.cursor() as cur:
        for pk in ids:
            t0 = time.perf_counter()
            with transaction.atomic():
                cur.execute(
                    "UPDATE repairs_ticket SET status = 'resolved', resolved_at = now() "
                    "WHERE id = %s",
                    [pk],
                )
            times.append((time.perf_counter() - t0) * 1000)
    return statistics.mean(times)


def _index_mb() -> float:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT coalesce(pg_relation_size(to_regclass(%s)), 0)", [INDEX])
        return cur.fetchone()[0] / 1024 / 1024


def _variant(jobs, by, ids) -> dict:
    return {
        "metrics_s": _metrics_time(jobs),
        "transition_ms": _transition_ms(ids[:WRITES], by),
        "update_ms": _update_ms(ids[WRITES:]),
        "index_mb": _index_mb(),
        "load": _load(),
    }


def main() -> int:
    started = time.perf_counter()
    builder._setup()
    from django.db import connection

    from repairs.models import Ticket
    from tests.factories import make_company_admin

    estates = builder._estates()
    builder._insert(1, builder.TICKETS)
    by = make_company_admin("bench-admin")
    jobs = builder._periods(estates)
    ids = _running(4 * WRITES)
    with_index = _variant(jobs, by, ids[: 2 * WRITES])
    with connection.cursor() as cur:
        cur.execute(f"DROP INDEX {INDEX}")
        cur.execute("VACUUM ANALYZE repairs_ticket")
    without = _variant(jobs, by, ids[2 * WRITES :])

    print(f"tickets: {Ticket.objects.count()} ({len(jobs)} estate-months)")
    for name, v in (("with_covering_index", with_index), ("without_covering_index", without)):
        print(
            f"{name}: metrics {v['metrics_s']:.2f} s; transition {v['transition_ms']:.2f} ms; "
            f"raw update {v['update_ms']:.3f} ms; index {v['index_mb']:.0f} MB; "
            f"load average {v['load']}"
        )
    print(f"metrics_speedup_from_index: {without['metrics_s'] / with_index['metrics_s']:.1f} x")
    print(
        "transition_cost_of_index: "
        f"{with_index['transition_ms'] - without['transition_ms']:+.2f} ms per transition"
    )
    print(f"bench_total_time: {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

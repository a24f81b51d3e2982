"""The manager's dashboard at scale: its server time for one estate and a month (12 months of
snapshots, the operational panels over the tickets) on the 1,000,000-ticket data set of
bench/tickets.py (target < 300 ms), and its query count, which must not depend on the data.

Prints, one figure per line: the ticket count, the dashboard's query count and its median
server time over 7 requests (Django's test client, no network).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ed_bench_pages .venv/bin/python bench/pages.py
    .venv/bin/python bench/pages.py --small     # 2,000 tickets over 5 estates: a smoke run

The database (default ``ed_bench_pages``) is dropped and rebuilt.
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
    "BENCH_PAGES_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ed_bench_pages"
)
if SMALL:
    os.environ["BENCH_TICKETS"] = "2000"

from bench import tickets as builder  # noqa: E402  (sets the environment, then Django)

if SMALL:
    builder.ESTATES = 5
TARGET_MS = 300
RUNS = 7


def main() -> int:
    builder._setup()
    from django.conf import settings
    from django.test.utils import override_settings

    # The page's static links without a collected manifest (the bench runs with DEBUG off).
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        return _run()


def _run() -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from estate import kpi
    from estate.dashboard.selectors import months_back, same_month_last_year
    from estate.services import kpi_snapshot_compute
    from repairs.models import Ticket
    from tests.factories import make_company_admin

    estates = builder._estates()
    builder._insert(1, builder.TICKETS)
    target = estates[0]
    period = kpi.Period.month(target.tz, "2026-10")
    for month in [*months_back(period, 12), same_month_last_year(period)]:
        kpi_snapshot_compute(estate=target, period=month)
    client = Client()
    client.force_login(make_company_admin("bench-admin"))
    url = f"/dashboard/?estate={target.code}&period={period.label}"
    assert client.get(url).status_code == 200  # warm up
    times = []
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as queries:
            t0 = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
    median = statistics.median(times)
    print(f"tickets: {Ticket.objects.count()} tickets")
    print(f"dashboard_queries: {len(queries)} queries")
    print(f"dashboard_time: {median:.1f} ms (median of {RUNS}; target < {TARGET_MS} ms)")
    if not SMALL and median >= TARGET_MS:
        print(f"FAILED: dashboard {median:.1f} ms >= {TARGET_MS} ms", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

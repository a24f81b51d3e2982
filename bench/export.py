"""Exporting 1,000,000 tickets (the work queue's export, estate/exports.py) to CSV and to
XLSX: the peak memory (RSS) of each, measured in a fresh process so the data build does not
count (target < 200 MB each), and the time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ed_bench_export .venv/bin/python bench/export.py
    .venv/bin/python bench/export.py --small    # 2,000 tickets: a smoke run

The database (default ``ed_bench_export``) is dropped and rebuilt (not in ``--child``).
"""

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SMALL = "--small" in sys.argv
os.environ["BENCH_TICKETS_DATABASE_URL"] = os.environ.get(
    "BENCH_EXPORT_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ed_bench_export"
)
if SMALL:
    os.environ["BENCH_TICKETS"] = "2000"

from bench import tickets as builder  # noqa: E402  (sets the environment, then Django)

if SMALL:
    builder.ESTATES = 5
TARGET_MB = 200


def child(fmt: str) -> None:
    """Export every ticket once, the way the queue's export streams them, and print the peak
    RSS of this process."""
    import tempfile
    from zoneinfo import ZoneInfo

    import django

    django.setup()
    from estate import exports
    from repairs.models import Ticket
    from repairs.views.queue import EXPORT_FIELDS, ticket_rows

    header = list(EXPORT_FIELDS)
    rows = ticket_rows(Ticket.objects.all(), tz=ZoneInfo("Asia/Shanghai"), labels={})
    t0 = time.perf_counter()
    if fmt == "csv":
        with open(os.devnull, "w", encoding="utf-8") as out:
            for line in exports.csv_lines(header, rows):
                out.write(line)
    else:
        with tempfile.TemporaryFile() as out:
            exports.write_xlsx(out, header, rows, "tickets")
    elapsed = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{peak_mb:.1f} {elapsed:.1f}")


def main() -> int:
    builder._setup()
    from repairs.models import Ticket

    builder._estates()
    builder._insert(1, builder.TICKETS)
    count = Ticket.objects.count()
    print(f"tickets: {count} tickets")
    failed = False
    for fmt in ("csv", "xlsx"):
        out = subprocess.run(
            [sys.executable, __file__, "--child", fmt, *(["--small"] if SMALL else [])],
            check=True,
            capture_output=True,
            text=True,
            env=os.environ,
        ).stdout.split()
        peak, elapsed = float(out[-2]), float(out[-1])
        print(f"export_{fmt}_peak_rss: {peak:.1f} MB (target < {TARGET_MB} MB)")
        print(f"export_{fmt}_time: {elapsed:.1f} s")
        if not SMALL and peak >= TARGET_MB:
            print(f"FAILED: {fmt} export peak {peak:.1f} MB >= {TARGET_MB} MB", file=sys.stderr)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    if "--child" in sys.argv:
        child(sys.argv[sys.argv.index("--child") + 1])
        sys.exit(0)
    sys.exit(main())

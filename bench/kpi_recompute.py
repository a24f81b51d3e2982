"""Every rate in one pass (issue 16, QUALITY.md): every registered key x 100 estates x 12 months.

Builds bench/tickets.py's data set (1,000,000 tickets over 100 estates and 12 months, on
PostgreSQL) and prints, one figure per line, with the load average beside them:
- the time of ``estate.kpi.compute_many`` for every key of every estate-month (target < 15 s):
  one grouped query per metric group;
- the time of ``compute_all`` estate-month by estate-month (the engine before batching);
- the naive loop, timed on a sample of estate-months and scaled to all of them: the ticket
  keys looping over their rows in Python (bench/tickets.py's naive version), the other keys
  computed estate-month by estate-month; and its ratio to ``compute_many`` (target >= 50x).

Exits non-zero when ``compute_many`` differs from the naive loop or from ``compute_all`` on the
sample, or (full size only) when a target is missed.

    .venv/bin/python bench/kpi_recompute.py            # full size; the lead, on a quiet machine
    .venv/bin/python bench/kpi_recompute.py --small    # smoke: 20,000 tickets
    .venv/bin/python bench/kpi_recompute.py --reuse    # keep the data a previous run built

The database named in BENCH_TICKETS_DATABASE_URL (default ``ed_bench_tickets``) is dropped
and rebuilt unless ``--reuse``.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

SMALL_TICKETS = 20_000
TIME_TARGET = 15.0  # seconds, every key x 100 estates x 12 months
SPEEDUP_TARGET = 50


def _args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help=f"{SMALL_TICKETS} tickets (smoke)")
    parser.add_argument("--reuse", action="store_true", help="keep the existing bench database")
    return parser.parse_args()


def _load() -> str:
    """The load average, as ``uptime`` prints it (the figures mean little on a loaded machine)."""
    try:
        out = subprocess.run(["uptime"], capture_output=True, text=True, check=True).stdout
        return out.strip()
    except (OSError, subprocess.CalledProcessError):
        return "load average: {:.2f}, {:.2f}, {:.2f}".format(*os.getloadavg())


def _build(tickets, reuse: bool) -> tuple[list, float]:
    """(estates, build seconds): bench/tickets.py's data set, or the one already there."""
    if reuse:
        import django

        django.setup()
        from estate.models import Estate

        estates = list(Estate.objects.order_by("code"))
        if len(estates) != tickets.ESTATES:
            sys.exit(f"--reuse: the bench database has {len(estates)} estates, not 100")
        return estates, 0.0
    tickets._setup()
    estates = tickets._estates()
    started = time.perf_counter()
    tickets._insert(1, tickets.TICKETS)
    return estates, time.perf_counter() - started


def _naive(tickets, estate, period) -> dict:
    """Every key of one estate-month the naive way: the ticket keys by the Python row loop of
    bench/tickets.py, the others computed for this estate-month alone."""
    from estate import kpi

    others = [m.key for m in kpi.metrics() if not m.key.startswith(("repairs.", "complaints."))]
    ratios = kpi.compute_all(estate=estate, period=period, keys=others)
    return {k: (r.numerator, r.denominator) for k, r in ratios.items()} | tickets._naive(
        estate, period
    )


def main() -> int:
    args = _args()
    if args.small:
        os.environ["BENCH_TICKETS"] = str(SMALL_TICKETS)
    import tickets  # bench/tickets.py: its environment, data builder and naive loop

    started = time.perf_counter()
    estates, build = _build(tickets, args.reuse)
    from estate import kpi
    from repairs.models import Ticket

    count = Ticket.objects.count()
    jobs = tickets._periods(estates)
    keys = [m.key for m in kpi.metrics()]
    print(f"load_before: {_load()}")

    kpi.compute_many(jobs[:2])  # connection and first compilation out of the timing
    t0 = time.perf_counter()
    many = kpi.compute_many(jobs)
    fast = time.perf_counter() - t0
    print(f"load_after_compute_many: {_load()}")

    t0 = time.perf_counter()
    alone = [kpi.compute_all(estate=e, period=p) for e, p in jobs]
    per_job = time.perf_counter() - t0

    step = max(1, len(jobs) // tickets.NAIVE_SAMPLE)
    sample = list(range(0, len(jobs), step))[: tickets.NAIVE_SAMPLE]
    t0 = time.perf_counter()
    naive = {i: _naive(tickets, *jobs[i]) for i in sample}
    slow = (time.perf_counter() - t0) * len(jobs) / len(sample)
    ratio = slow / fast

    mismatches = [
        (jobs[i][0].code, jobs[i][1].label, key)
        for i, values in naive.items()
        for key, (n, d) in values.items()
        if (many[i][key].numerator, many[i][key].denominator) != (n, d)
    ]
    mismatches += [
        (e.code, p.label, key)
        for (e, p), got, want in zip(jobs, many, alone, strict=True)
        for key in keys
        if (got[key].numerator, got[key].denominator)
        != (want[key].numerator, want[key].denominator)
    ]

    label = "small" if args.small else "full"
    print(f"kpi_data: {count} tickets, {len(estates)} estates, {label}")
    print(f"kpi_build_time: {build:.1f} s")
    print(
        f"kpi_compute_many_all_keys: {fast:.2f} s "
        f"({len(jobs)} estate-months x {len(keys)} keys; target < {TIME_TARGET:.0f} s)"
    )
    print(f"kpi_compute_all_per_estate_month: {per_job:.2f} s (the engine before batching)")
    print(f"kpi_naive_scaled: {slow:.2f} s ({len(sample)} estate-months timed)")
    print(f"kpi_speedup_vs_naive: {ratio:.1f} x (target >= {SPEEDUP_TARGET} x)")
    print(f"kpi_speedup_vs_per_estate_month: {per_job / fast:.1f} x")
    print(f"load_after: {_load()}")
    print(f"bench_total_time: {time.perf_counter() - started:.0f} s")
    failed = False
    if mismatches:
        print(f"FAILED: compute_many differs: {mismatches[:5]}", file=sys.stderr)
        failed = True
    if not args.small and fast >= TIME_TARGET:
        print(f"FAILED: {fast:.2f} s >= {TIME_TARGET} s", file=sys.stderr)
        failed = True
    if not args.small and ratio < SPEEDUP_TARGET:
        print(f"FAILED: speedup {ratio:.1f}x < {SPEEDUP_TARGET}x", file=sys.stderr)
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

import datetime as dt
import random
import time
from collections import Counter

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from estate import seeding
from estate.models import Estate
from estate.replicate import Replication
from estate.seed import DEMO_PASSWORD, estate_identity
from estate.seeding import SeedContext, parts

# QUALITY.md's company: 100 estates of 1,500 units (150,000 units), 12 months.
SCALE_ESTATES, SCALE_MONTHS, SCALE_UNITS = 100, 12, 1500
# At company scale, the estates simulated in Python; the others are copied from them in the
# database (estate.replicate), PostgreSQL only.
SCALE_TEMPLATES = 1
COPY_WORKERS = 2
# With more than one copy worker: once this part is done, these tables are complete (no later
# part writes them, nor adds rows to a table they point to; seed_demo checks both) and are
# copied on a connection of their own while the later parts (the fees: ~12 s of Python) are
# simulated on the other core. The tickets and their histories: 7 M rows, the largest copy.
EARLY_COPY = ("handovers", ("repairs.Ticket", "repairs.TicketEvent", "repairs.ReturnVisit"))
DEMO_UNITS = 240


class Command(BaseCommand):
    help = (
        "Fill an empty database with realistic, deterministic demo data for every module. "
        f"With --scale, or with {SCALE_ESTATES} estates or more, the company of QUALITY.md "
        f"({SCALE_UNITS} units an estate, 1,000,000 tickets and 20,000 renovation applications "
        "a year for 100 estates), written with bulk inserts (COPY on PostgreSQL); there, "
        f"{SCALE_TEMPLATES} template estate is simulated and copied into the others by the "
        "database (estate.replicate)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--estates", type=int, default=None)
        parser.add_argument("--months", type=int, default=None)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--units-per-estate",
            type=int,
            default=None,
            help=f"default {DEMO_UNITS}, or {SCALE_UNITS} at company scale",
        )
        parser.add_argument(
            "--scale",
            action="store_true",
            help=f"QUALITY.md's data set: {SCALE_ESTATES} estates x {SCALE_MONTHS} months unless "
            "given, at company scale",
        )
        parser.add_argument(
            "--templates",
            type=int,
            default=None,
            help=f"at company scale, estates simulated in Python (default {SCALE_TEMPLATES}, "
            "or the largest divisor of --estates below it); the others are copies of them "
            "written by the database (estate.replicate)",
        )
        parser.add_argument(
            "--copy-workers",
            type=int,
            default=COPY_WORKERS,
            help=f"at company scale, database connections copying the templates side by side "
            f"(default {COPY_WORKERS}: one per core of the machine this was measured on)",
        )
        parser.add_argument(
            "--now", help="ISO datetime the demo data ends at (default: now), for reproducibility"
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when estates already exist"
        )

    def _replication(self, ctx, estates: int, opts: dict, session: list) -> Replication:
        return Replication(
            templates=list(ctx.data["estates"]),
            estates=estates,
            identity=estate_identity,
            log=ctx.log,
            workers=opts["copy_workers"],
            session=session,
        )

    def handle(self, *args, **opts):
        if Estate.objects.exists():
            if opts["if_empty"]:
                self.stdout.write("Demo data: the database already has estates; left as it is.")
                return
            raise CommandError("The database already has estates; seed_demo fills an empty one.")
        estates = opts["estates"] or (SCALE_ESTATES if opts["scale"] else 2)
        months = opts["months"] or (SCALE_MONTHS if opts["scale"] else 6)
        if not 1 <= estates <= 999 or not 1 <= months <= 60:
            raise CommandError("--estates must be 1-999 and --months 1-60")
        company = opts["scale"] or estates >= SCALE_ESTATES
        units = opts["units_per_estate"] or (SCALE_UNITS if company else DEMO_UNITS)
        now = dt.datetime.fromisoformat(opts["now"]) if opts["now"] else timezone.now()
        if timezone.is_naive(now):
            now = timezone.make_aware(now)
        templates = estates
        if company and connection.vendor == "postgresql":
            wanted = max(1, min(opts["templates"] or SCALE_TEMPLATES, estates))
            templates = max(d for d in range(1, wanted + 1) if estates % d == 0)
        ctx = SeedContext(
            rng=random.Random(opts["seed"]),
            estates=templates,
            months=months,
            now=now,
            company_scale=company,
            log=lambda msg: self.stdout.write(f"  {msg}"),
        )
        ctx.data["units_per_estate"] = units
        if company:
            self.stdout.write(
                f"Company scale: {estates} estates x {units} units, {months} months "
                f"({connection.vendor})."
            )
        if templates < estates:
            self.stdout.write(
                f"{templates} template estate(s) simulated, {estates - templates} copied from "
                "them in the database."
            )
        # At company scale, the foreign keys' checks (a trigger per row and key, run at commit:
        # most of the time of writing millions of rows) are skipped for a superuser: the seed
        # builds every reference from rows it wrote itself.
        unchecked = company and _superuser()
        if unchecked:
            self.stdout.write("Foreign-key triggers off while seeding (session_replication_role).")
        total_started = time.monotonic()
        total_rows = 0
        session = ["SET LOCAL synchronous_commit TO OFF"]
        if unchecked:
            session.append("SET LOCAL session_replication_role TO replica")
        copies: Replication | None = None
        watched: list[str] = []  # tables being copied early: no later part may write them
        try:
            for _order, name, fn in parts():
                started = time.monotonic()
                before = seeding.inserted.copy()
                with transaction.atomic():
                    if connection.vendor == "postgresql":
                        # Demo data can be rebuilt: no need to wait for each commit's WAL flush.
                        with connection.cursor() as cursor:
                            cursor.execute("SET LOCAL synchronous_commit TO OFF")
                            if unchecked:
                                cursor.execute("SET LOCAL session_replication_role TO replica")
                    writes = _writes(watched)
                    fn(ctx)
                    if watched and (touched := _writes(watched) - writes):
                        raise CommandError(
                            f"The {name} part wrote {', '.join(sorted(touched))} after their "
                            "copy began: move the part before EARLY_COPY's, or take the tables "
                            "out of it."
                        )
                elapsed = time.monotonic() - started
                written = seeding.inserted - before
                rows = sum(written.values())
                total_rows += rows
                self.stdout.write(f"{name}: {elapsed:.1f} s, {rows} rows ({_rate(rows, elapsed)})")
                for label, count in written.most_common():
                    self.stdout.write(f"    {label}: {count}")
                if templates < estates and copies is None and name == EARLY_COPY[0]:
                    copies = self._replication(ctx, estates, opts, session)
                    if copies.start([apps.get_model(label) for label in EARLY_COPY[1]]):
                        watched = copies.early_tables
                        self.stdout.write(
                            f"copying {', '.join(watched)} now, while the other parts are simulated"
                        )
        except BaseException:
            if copies is not None:
                copies.cancel()
            raise
        analysed: set[str] = set()
        if templates < estates:
            started = time.monotonic()
            copies = copies or self._replication(ctx, estates, opts, session)
            written = copies.finish()
            elapsed = time.monotonic() - started
            rows = sum(written.values())
            seeding.inserted.update(written)
            # Each copied table was analysed by the connection that copied it.
            analysed = {apps.get_model(label)._meta.db_table for label in written}
            total_rows += rows
            self.stdout.write(
                f"copies: {elapsed:.1f} s after the simulation, {rows} rows "
                f"({_rate(rows, elapsed)})"
            )
        if company and connection.vendor == "postgresql":
            started = time.monotonic()
            rest = sorted(set(connection.introspection.table_names()) - analysed)
            qn = connection.ops.quote_name
            with connection.cursor() as cursor:
                # The planner's statistics, as autovacuum would later.
                cursor.execute(f"ANALYZE {', '.join(qn(t) for t in rest)}")
            self.stdout.write(
                f"analyze: {time.monotonic() - started:.1f} s, {len(rest)} tables "
                f"({len(analysed)} analysed after their copy)"
            )
        elapsed = time.monotonic() - total_started
        self.stdout.write(
            f"seed_demo_total: {elapsed:.1f} s, {total_rows} rows ({_rate(total_rows, elapsed)})"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready. Log in as hy01-manager / {DEMO_PASSWORD} "
                f"(or admin / {DEMO_PASSWORD} for every estate)."
            )
        )


def _writes(tables: list[str]) -> Counter:
    """Rows this connection inserted, updated or deleted in ``tables`` and has not reported to
    the statistics yet: the current transaction's, plus earlier ones' until the backend reports
    them (when idle outside a transaction, never inside one). The difference between two reads
    in one transaction is what it wrote in between."""
    if not tables:
        return Counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables "
            "WHERE relname = ANY(%s)",
            [tables],
        )
        return Counter(dict(cursor.fetchall()))


def _rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:,.0f} rows/s" if seconds > 0 else "-"


def _superuser() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
    return bool(row and row[0])

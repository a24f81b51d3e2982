import datetime as dt
import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from estate.models import Estate
from estate.seed import DEMO_PASSWORD
from estate.seeding import SeedContext, parts


class Command(BaseCommand):
    help = "Fill an empty database with realistic, deterministic demo data for every module."

    def add_arguments(self, parser):
        parser.add_argument("--estates", type=int, default=2)
        parser.add_argument("--months", type=int, default=6)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--units-per-estate", type=int, default=240)
        parser.add_argument(
            "--now", help="ISO datetime the demo data ends at (default: now), for reproducibility"
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when estates already exist"
        )

    def handle(self, *args, **opts):
        if Estate.objects.exists():
            if opts["if_empty"]:
                self.stdout.write("Demo data: the database already has estates; left as it is.")
                return
            raise CommandError("The database already has estates; seed_demo fills an empty one.")
        if not 1 <= opts["estates"] <= 999 or not 1 <= opts["months"] <= 60:
            raise CommandError("--estates must be 1-999 and --months 1-60")
        now = dt.datetime.fromisoformat(opts["now"]) if opts["now"] else timezone.now()
        if timezone.is_naive(now):
            now = timezone.make_aware(now)
        ctx = SeedContext(
            rng=random.Random(opts["seed"]),
            estates=opts["estates"],
            months=opts["months"],
            now=now,
            log=lambda msg: self.stdout.write(f"  {msg}"),
        )
        ctx.data["units_per_estate"] = opts["units_per_estate"]
        for _order, name, fn in parts():
            started = time.monotonic()
            with transaction.atomic():
                fn(ctx)
            self.stdout.write(f"{name}: {time.monotonic() - started:.1f} s")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready. Log in as hy01-manager / {DEMO_PASSWORD} "
                f"(or admin / {DEMO_PASSWORD} for every estate)."
            )
        )

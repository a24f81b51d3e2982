from django.core.management.base import BaseCommand, CommandError

from estate.errors import DomainError
from estate.models import Estate
from estate.services import kpi_snapshots_refresh


class Command(BaseCommand):
    help = "Recompute KPI snapshots now (default: current and previous month of every estate)."

    def add_arguments(self, parser):
        parser.add_argument("--estate", help="estate code, e.g. HY01")
        parser.add_argument("--period", help="month YYYY-MM in the estate's time zone")

    def handle(self, *args, **opts):
        estates = Estate.objects.all()
        if opts["estate"]:
            estates = estates.filter(code=opts["estate"].upper())
            if not estates.exists():
                raise CommandError(f"No estate {opts['estate']!r}.")
        try:
            n = kpi_snapshots_refresh(
                estates=list(estates), periods=[opts["period"]] if opts["period"] else None
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"KPI snapshots written for {n} estate-period(s).")

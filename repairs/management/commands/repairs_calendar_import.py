"""``manage.py repairs_calendar_import --year 2026 [--estate HY01]``: import China's holidays
and makeup working days into the estates' business calendars."""

from django.core.management.base import BaseCommand, CommandError

from estate.errors import DomainError
from estate.models import Estate
from repairs.configuration import calendar_year_import


class Command(BaseCommand):
    help = "Import a year's public holidays and makeup working days (调休) for the estates."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--estate", help="estate code (default: every estate)")

    def handle(self, *args, **opts):
        estates = Estate.objects.all()
        if opts["estate"]:
            estates = estates.filter(code=opts["estate"].upper())
            if not estates.exists():
                raise CommandError(f"No estate {opts['estate']!r}.")
        for estate in estates:
            try:
                record = calendar_year_import(estate=estate, year=opts["year"])
            except DomainError as exc:
                raise CommandError(exc.message) from None
            note = " (provisional: check when the State Council publishes it)" * record.provisional
            self.stdout.write(f"{estate.code} {record.year}: {record.source}{note}")

from django.core.management.base import BaseCommand, CommandError

from estate.errors import DomainError
from estate.models import Estate
from fees import services


class Command(BaseCommand):
    help = "Issue an estate's bills for a month (idempotent: a second run creates none)."

    def add_arguments(self, parser):
        parser.add_argument("--estate", required=True, help="estate code, e.g. HY01")
        parser.add_argument("--period", required=True, help="month YYYY-MM")

    def handle(self, *args, **opts):
        try:
            estate = Estate.objects.get(code=opts["estate"].strip().upper())
        except Estate.DoesNotExist:
            raise CommandError(f"No estate {opts['estate']!r}.") from None
        try:
            created = services.bills_generate(estate=estate, period_label=opts["period"])
        except DomainError as exc:
            raise CommandError(f"{exc.field}: {exc.message}") from None
        self.stdout.write(f"{estate.code} {opts['period']}: {created} bills created")

"""``manage.py repairs_defaults [--estate HY01]``: give estates the company's default ticket
categories (with service levels), departments and reply templates. Safe to run again."""

from django.core.management.base import BaseCommand, CommandError

from estate.models import Estate
from repairs.configuration import defaults_install


class Command(BaseCommand):
    help = "Install the default ticket categories, departments and reply templates."

    def add_arguments(self, parser):
        parser.add_argument("--estate", help="estate code (default: every estate)")

    def handle(self, *args, **opts):
        estates = Estate.objects.all()
        if opts["estate"]:
            estates = estates.filter(code=opts["estate"].upper())
            if not estates.exists():
                raise CommandError(f"No estate {opts['estate']!r}.")
        for estate in estates:
            defaults_install(estate=estate)
            self.stdout.write(f"{estate.code}: defaults installed")

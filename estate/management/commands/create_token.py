from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from estate.services import api_token_create


class Command(BaseCommand):
    help = "Create an API bearer token for a user and print it once (only its hash is stored)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="what the token is for")

    def handle(self, *args, **opts):
        try:
            user = get_user_model().objects.get(username=opts["username"])
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user {opts['username']!r}.") from None
        _record, token = api_token_create(user=user, name=opts["name"])
        self.stdout.write(token)

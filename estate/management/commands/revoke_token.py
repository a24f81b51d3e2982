from django.core.management.base import BaseCommand, CommandError

from estate.models import ApiToken
from estate.services import api_token_revoke


class Command(BaseCommand):
    help = "Revoke API tokens by their first characters (as shown in the admin) or by user."

    def add_arguments(self, parser):
        parser.add_argument("prefix_or_username")

    def handle(self, *args, **opts):
        key = opts["prefix_or_username"]
        tokens = ApiToken.objects.filter(revoked_at__isnull=True)
        matched = (
            list(tokens.filter(prefix=key[:10]))
            if key.startswith("ed_")
            else list(tokens.filter(user__username=key))
        )
        if not matched:
            raise CommandError("No active token matches.")
        for token in matched:
            api_token_revoke(token=token)
        self.stdout.write(f"Revoked {len(matched)} token(s).")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepairsConfig(AppConfig):
    name = "repairs"
    verbose_name = _("Repairs and complaints")

    def ready(self) -> None:
        from repairs import resident_links, roles  # noqa: F401  (roles: the ticket actions)

        resident_links.register()  # the file's tickets panel and the merge re-pointer

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FacilitiesConfig(AppConfig):
    name = "community.facilities"
    label = "facilities"
    verbose_name = _("Venues and facilities")

    def ready(self) -> None:
        from community.facilities import nav, roles  # noqa: F401  (role matrix, navigation)

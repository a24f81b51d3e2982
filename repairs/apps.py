from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepairsConfig(AppConfig):
    name = "repairs"
    verbose_name = _("Repairs and complaints")

    def ready(self) -> None:
        from repairs import roles  # noqa: F401  (adds the ticket actions to the role matrix)

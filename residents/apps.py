from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentsConfig(AppConfig):
    name = "residents"
    verbose_name = _("Residents")

    def ready(self) -> None:
        # The residents actions of the role matrix and the nav entries exist once set up.
        from residents import nav, permissions  # noqa: F401

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaidServicesConfig(AppConfig):
    name = "repairs.paidservices"
    label = "paidservices"
    verbose_name = _("Special paid services")

    def ready(self) -> None:
        from repairs.paidservices import nav, roles  # noqa: F401  (role matrix, navigation)

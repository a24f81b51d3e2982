from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaidServicesConfig(AppConfig):
    name = "repairs.paidservices"
    label = "paidservices"
    verbose_name = _("Special paid services")

    def ready(self) -> None:
        from repairs import hooks
        from repairs.paidservices import nav, roles  # noqa: F401  (role matrix, navigation)
        from repairs.paidservices.services import bill_on_resolve

        # Whoever resolves an order's ticket (ticket page, API, this app's page) bills it.
        hooks.register_ticket_resolved(bill_on_resolve)

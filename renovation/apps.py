from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RenovationConfig(AppConfig):
    name = "renovation"
    verbose_name = _("Renovation")

    def ready(self) -> None:
        from renovation import roles  # noqa: F401  (adds the renovation actions to the matrix)
        from renovation.hooks import violation_from_complaint
        from repairs.hooks import register_ticket_created

        register_ticket_created(violation_from_complaint)

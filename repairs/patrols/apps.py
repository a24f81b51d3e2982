from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatrolsConfig(AppConfig):
    name = "repairs.patrols"
    label = "patrols"
    verbose_name = _("Service-quality patrols")

    def ready(self) -> None:
        # Role matrix, navigation, and the per-person figures (estate/assessment registry).
        from repairs.patrols import figures, nav, roles  # noqa: F401

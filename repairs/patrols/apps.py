from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatrolsConfig(AppConfig):
    name = "repairs.patrols"
    label = "patrols"
    verbose_name = _("Service-quality patrols")

    def ready(self) -> None:
        from repairs.patrols import nav, roles  # noqa: F401  (role matrix, navigation)

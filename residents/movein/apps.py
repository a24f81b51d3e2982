from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MoveInConfig(AppConfig):
    name = "residents.movein"
    label = "movein"
    verbose_name = _("Move-in handover")

    def ready(self) -> None:
        # The role-matrix actions and the two rates exist as soon as Django is set up.
        from residents.movein import metrics, roles  # noqa: F401

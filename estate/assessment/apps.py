from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "estate.assessment"
    label = "assessment"
    verbose_name = _("Staff assessment")

    def ready(self) -> None:
        from estate.assessment import nav, roles  # noqa: F401  (role matrix, navigation)

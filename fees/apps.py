from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeesConfig(AppConfig):
    name = "fees"
    verbose_name = _("Fees")

    def ready(self) -> None:
        # The fees actions of the role matrix exist as soon as Django is set up.
        from fees import permissions, resident_links  # noqa: F401

        resident_links.register()  # the bills panel of a resident's file

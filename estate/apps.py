from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class EstateConfig(AppConfig):
    name = "estate"
    verbose_name = _("Estates")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import pre_delete

        from estate import (
            checks,  # noqa: F401  (registers the system checks)
            sms,  # noqa: F401  (registers the deployment check of SMS_BACKEND)
            tokens,
        )
        from estate.integrity import keep_user_names
        from estate.localtime import install_template_localtime

        # Each app registers its metrics, demo-data part, navigation and periodic tasks.
        autodiscover_modules("metrics", "seed", "nav", "tasks", "dashboard", "staff_figures")
        install_template_localtime()
        post_migrate.connect(_create_cache_table, sender=self)
        tokens.connect()  # bearer-token answers in the shared cache forget changed users
        pre_delete.connect(keep_user_names, sender=get_user_model(), dispatch_uid="keep-names")


def _create_cache_table(using="default", **kwargs) -> None:
    """The database cache (rate limits, lock-outs) when no Redis is configured."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)

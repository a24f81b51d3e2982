from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepairsConfig(AppConfig):
    name = "repairs"
    verbose_name = _("Repairs and complaints")

    def ready(self) -> None:
        from repairs import resident_links, roles  # noqa: F401  (roles: the ticket actions)

        resident_links.register()  # the file's tickets panel and the merge re-pointer
        _connect_calendar_cache()


def _calendar_edited(sender, instance, **kwargs) -> None:
    from repairs.calendar import calendar_changed

    calendar_changed(instance.estate_id)


def _connect_calendar_cache() -> None:
    """An edit of working hours or of a dated exception anywhere (services, the admin) makes
    the estate's cached calendar stale; the services also say so after their bulk writes."""
    from django.db.models.signals import post_delete, post_save

    from repairs.models import CalendarDay, WorkingHours

    for model in (CalendarDay, WorkingHours):
        post_save.connect(_calendar_edited, sender=model, dispatch_uid=f"calendar-{model}-s")
        post_delete.connect(_calendar_edited, sender=model, dispatch_uid=f"calendar-{model}-d")

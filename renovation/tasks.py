"""Periodic renovation work: a thin call into a service."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from renovation import services


@db_periodic_task(crontab(hour="8", minute="15"))
@lock_task("renovation-patrols-due")
def notify_units_not_patrolled():
    """Tell each estate's desk and managers which renovating units were not patrolled for the
    estate's N days (once a day; a second run the same day sends nothing)."""
    return services.inspections_due_notify()

"""Periodic fees work: a thin call into a service."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from estate.taskruns import periodic_run
from fees import services


@db_periodic_task(crontab(day="1", hour="1", minute="10"))
@periodic_run("fees-monthly-bills", ttl=6 * 3600)
def generate_monthly_bills():
    """Every estate's bills for its current month (idempotent, so a re-run is harmless)."""
    return services.bills_generate_due()


@db_periodic_task(crontab(hour="1", minute="40"))
@periodic_run("fees-reminders", ttl=3600)
def list_units_to_remind():
    """Tell each estate's finance staff which units are overdue and not reminded lately."""
    return services.reminders_due_notify()

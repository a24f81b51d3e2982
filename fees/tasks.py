"""Periodic fees work: a thin call into a service."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from fees import services


@db_periodic_task(crontab(day="1", hour="1", minute="10"))
@lock_task("fees-monthly-bills")
def generate_monthly_bills():
    """Every estate's bills for its current month (idempotent, so a re-run is harmless)."""
    return services.bills_generate_due()


@db_periodic_task(crontab(hour="1", minute="40"))
@lock_task("fees-reminders")
def list_units_to_remind():
    """Tell each estate's finance staff which units are overdue and not reminded lately."""
    return services.reminders_due_notify()

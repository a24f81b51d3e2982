"""Periodic work of the move-in handover: thin Huey tasks calling the services."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from residents.movein import services


@db_periodic_task(crontab(minute="0", hour="*"))
def booking_reminders_send():
    """Text tomorrow's owners their slot (hourly, so each estate's evening comes round; each
    owner is texted once)."""
    return services.booking_reminders_send()

"""Periodic work of repairs: thin Huey tasks calling the services."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from estate.taskruns import periodic_run
from repairs import services


@db_periodic_task(crontab(minute="*/5"))
@periodic_run("tickets-overdue", ttl=900)
def tickets_flag_overdue():
    """Flag tickets that passed a deadline and tell the managers (every 5 minutes)."""
    return services.tickets_flag_overdue()


@db_periodic_task(crontab(day="1", hour="2", minute="30"))
@periodic_run("return-visit-samples", ttl=3600)
def return_visit_samples_create():
    """The previous month's quality return-visit sample of every estate (1st of the month)."""
    return services.return_visit_samples_create_all()


@db_periodic_task(crontab(minute="*/15"))
@periodic_run("pending-photos-purge", ttl=900)
def pending_photos_purge():
    """Remove photos kept for failed resident reports once their token expired (15 minutes)."""
    return services.pending_photos_purge()


@db_periodic_task(crontab(minute="*/5"))
@periodic_run("ticket-tallies-compact", ttl=300)
def ticket_tallies_compact():
    """Fold the ticket tallies into one row per estate, kind and status (every 5 minutes)."""
    return services.ticket_tallies_compact()

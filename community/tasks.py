"""Periodic work of community: a thin call into a service."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from community import services


@db_periodic_task(crontab(day="1", hour="2", minute="10"))
@lock_task("community-call-samples")
def draw_call_samples():
    """The month's sampled satisfaction call list for every estate (idempotent)."""
    return services.call_samples_draw_due()

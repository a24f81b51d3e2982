"""Periodic work of the estate app: a thin call into a service."""

from django.db import close_old_connections
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, on_startup

from estate import kpi, services, taskruns


@db_periodic_task(crontab(minute=f"*/{kpi.REFRESH_MINUTES}"))
@taskruns.periodic_run("kpi-refresh", ttl=3600)
def refresh_kpis():
    """Recompute the current and the previous month of every estate."""
    return services.kpi_snapshots_refresh()


@db_task()
def compute_kpis(estate_code: str, period: str) -> int:
    from estate.models import Estate

    estate = Estate.objects.get(code=estate_code)
    return services.kpi_snapshots_refresh(estates=[estate], periods=[period])


@db_periodic_task(crontab(minute="*"))
def consumer_heartbeat():
    """The consumer is alive: the health page shows how long ago this last ran."""
    taskruns.heartbeat()


@on_startup()
def clear_dead_runs():
    """A consumer starting up frees the locks of runs whose process died (a crash, a deploy)."""
    close_old_connections()
    taskruns.dead_runs_clear()

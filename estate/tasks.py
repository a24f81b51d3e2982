"""Periodic work of the estate app: a thin call into a service."""

from django.db import close_old_connections
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, on_startup

from estate import kpi, services, taskruns


@db_periodic_task(crontab(minute=f"*/{kpi.REFRESH_MINUTES}"))
@taskruns.periodic_run("kpi-refresh", ttl=3600)
def refresh_kpis():
    """Keep every open month of every estate fresh; freeze the months whose close day passed."""
    return services.kpi_snapshots_refresh()


@db_task()
def recompute_kpi_month(estate_id: int, period: str, user_id: int | None = None) -> int:
    """The rates page's "recompute" button: one estate-month's snapshot, now."""
    return services.kpi_month_recompute(estate_id=estate_id, label=period, user_id=user_id)


@db_task()
def compute_kpis(estate_code: str, period: str) -> int:
    from estate.models import Estate

    estate = Estate.objects.get(code=estate_code)
    return services.kpi_snapshots_refresh(estates=[estate], periods=[period])


@db_periodic_task(crontab(hour="6", minute="10"))
@taskruns.periodic_run("bulletins-prepare", ttl=3600)
def prepare_bulletins():
    """Once the previous month is closed (the configured day), its bulletins' drafts exist for
    the managers to complete and issue."""
    from estate.dashboard.services import bulletins_prepare

    return bulletins_prepare()


@db_periodic_task(crontab(minute="*"))
def consumer_heartbeat():
    """The consumer is alive: the health page shows how long ago this last ran."""
    taskruns.heartbeat()


@on_startup()
def clear_dead_runs():
    """A consumer starting up frees the locks of runs whose process died (a crash, a deploy)."""
    close_old_connections()
    taskruns.dead_runs_clear()

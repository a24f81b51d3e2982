"""Periodic work of the estate app: a thin call into a service."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from estate import services


@db_periodic_task(crontab(minute="*/15"))
@lock_task("kpi-refresh")
def refresh_kpis():
    """Recompute the current and the previous month of every estate."""
    return services.kpi_snapshots_refresh()


@db_task()
def compute_kpis(estate_code: str, period: str) -> int:
    from estate.models import Estate

    estate = Estate.objects.get(code=estate_code)
    return services.kpi_snapshots_refresh(estates=[estate], periods=[period])

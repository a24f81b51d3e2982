"""The staff pages showing rates say when the periodic refresh last ran and warn when the
stored rates are older than twice its schedule (issue 15: a dead consumer stopped the KPI
snapshots and nothing said so)."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from estate import kpi
from estate.models import TaskRun
from estate.services import kpi_snapshot_compute
from estate.tasks import refresh_kpis
from tests.factories import make_staff

STALE = "rates-stale"


@pytest.fixture
def manager(client, estate_a):
    user = make_staff(estate_a, "manager")
    client.force_login(user)
    return user


def _pages(client):
    return [
        client.get("/kpis/?estate=HY01").content.decode(),
        client.get("/fees/overview/?estate=HY01").content.decode(),
    ]


@pytest.mark.django_db
def test_fresh_rates_show_the_last_refresh_and_no_warning(client, estate_a, manager):
    refresh_kpis()
    for html in _pages(client):
        assert STALE not in html
        assert "rates-refresh" in html


@pytest.mark.django_db
def test_rates_older_than_twice_the_schedule_are_flagged_until_the_refresh_runs(
    client, estate_a, manager
):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        refresh_kpis()
    later = start + dt.timedelta(minutes=2 * kpi.REFRESH_MINUTES + 1)
    with time_machine.travel(later, tick=False):
        TaskRun.objects.create(
            name="kpi-refresh", started_at=later, outcome=TaskRun.Outcome.FAILED, error="boom"
        )
        for html in _pages(client):
            assert STALE in html
        # The refresh runs again: the warning goes.
        refresh_kpis()
        for html in _pages(client):
            assert STALE not in html


@pytest.mark.django_db
def test_an_old_month_is_not_flagged(client, estate_a, manager):
    """Only the current and the previous month are refreshed; an older month's stored rates
    are meant to stay as they were."""
    period = kpi.Period.month(estate_a.tz, "2025-01")
    kpi_snapshot_compute(estate=estate_a, period=period)
    with time_machine.travel(timezone.now() + dt.timedelta(days=3), tick=False):
        html = client.get("/kpis/?estate=HY01&period=2025-01").content.decode()
    assert STALE not in html

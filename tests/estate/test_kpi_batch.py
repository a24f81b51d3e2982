"""``estate.kpi.compute_many``: many estate-months in one grouped query per metric group, with
exactly the figures of each estate-month computed alone (issue 16)."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from estate import kpi, kpi_selectors, services
from estate.models import Estate, KpiMember, KpiMonth, KpiSnapshot
from tests.repairs.factories import at, make_ticket

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 2, 3, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
NY = ZoneInfo("America/New_York")
MONTHS = ["2026-08", "2026-09", "2026-10", "2026-11"]
# One query per metric group: repairs+complaints 1, move-in 1, fees 2 (the bills' rates
# grouped by month; 清欠率's overlapping cohorts joined with the months), renovation 1,
# community 2 (attendance, satisfaction).
QUERIES_PER_BATCH = 7


@pytest.fixture
def estates():
    """Three seeded estates (every module's records over three months); HY02 runs on New York
    time, so its months are cut 12 or 13 hours after the others'. Two tickets sit on a month
    boundary: HY01's at Shanghai midnight (October in Shanghai), HY02's at the same instant,
    which is still September 30th in New York."""
    with time_machine.travel(NOW, tick=False):
        call_command(
            "seed_demo",
            "--estates",
            "3",
            "--months",
            "3",
            "--seed",
            "5",
            "--units-per-estate",
            "24",
            "--now",
            NOW.isoformat(),
            stdout=io.StringIO(),
        )
    Estate.objects.filter(code="HY02").update(timezone="America/New_York")
    hy01, hy02, hy03 = Estate.objects.order_by("code")
    make_ticket(hy01, now=at("2026-10-01 00:00"))
    make_ticket(hy02, kind="complaint", now=at("2026-10-01 00:00"))
    make_ticket(hy02, now=at("2026-11-01 00:00", NY))  # November in New York, to the second
    return [hy01, hy02, hy03]


def _jobs(estates, months):
    return [(e, kpi.Period.month(e.tz, label, now=NOW)) for e in estates for label in months]


def _parts(ratios: dict) -> dict:
    return {key: (r.numerator, r.denominator) for key, r in ratios.items()}


def test_every_key_of_every_estate_month_equals_computing_it_alone(estates):
    jobs = _jobs(estates, MONTHS)
    many = kpi.compute_many(jobs)
    alone = [kpi.compute_all(estate=e, period=p) for e, p in jobs]
    keys = [m.key for m in kpi.metrics()]
    for (estate, period), got, want in zip(jobs, many, alone, strict=True):
        assert list(got) == keys
        assert _parts(got) == _parts(want), (estate.code, period.label)
    # Not vacuous: every metric counts something somewhere in the seeded months.
    for key in keys:
        assert any(r[key].denominator for r in alone), key


def test_a_ticket_on_a_month_boundary_counts_in_its_estates_own_month(estates):
    hy01, hy02, _hy03 = estates
    jobs = _jobs([hy01, hy02], ["2026-09", "2026-10", "2026-11"])
    many = {(e.code, p.label): r for (e, p), r in zip(jobs, kpi.compute_many(jobs), strict=True)}
    for (code, label), ratios in many.items():
        estate = hy01 if code == "HY01" else hy02
        alone = kpi.compute_all(estate=estate, period=kpi.Period.month(estate.tz, label, now=NOW))
        assert _parts(ratios) == _parts(alone), (code, label)
    # What the boundary tickets test: Shanghai's midnight is still September in New York, and
    # New York's midnight starts its November, so a batch cutting HY02's months at Shanghai's
    # bounds (or cutting at ``<=``) moves them and the figures above differ.
    assert kpi.Period.containing(NY, at("2026-10-01 00:00"), now=NOW).label == "2026-09"
    assert kpi.Period.month(NY, "2026-11", now=NOW).start == at("2026-11-01 00:00", NY)


def test_queries_are_one_per_metric_group_whatever_the_number_of_estate_months(estates):
    small = _jobs(estates[:2], MONTHS[:1])  # 2 estate-months, both zones
    large = _jobs(estates, MONTHS)  # 12 estate-months
    with CaptureQueriesContext(connection) as few:
        kpi.compute_many(small)
    with CaptureQueriesContext(connection) as many:
        kpi.compute_many(large)
    assert len(few.captured_queries) == QUERIES_PER_BATCH
    assert len(many.captured_queries) == QUERIES_PER_BATCH


def test_a_date_range_is_computed_alone_beside_a_batch(estates):
    hy01 = estates[0]
    days = kpi.Period.for_dates(hy01.tz, dt.date(2026, 9, 15), dt.date(2026, 10, 15), now=NOW)
    jobs = [(hy01, days), *_jobs(estates, ["2026-10"])]
    many = kpi.compute_many(jobs)
    for (estate, period), got in zip(jobs, many, strict=True):
        assert _parts(got) == _parts(kpi.compute_all(estate=estate, period=period))


def test_the_rates_table_computes_its_missing_months_in_a_fixed_number_of_queries(estates):
    """No snapshot stored: the company table computes every cell, in the same number of
    queries for 2 estate-months as for 12 (the snapshots, the months' states, then one
    batch)."""
    counts = []
    for chosen, months in ((estates[:2], MONTHS[:1]), (estates, MONTHS)):
        with CaptureQueriesContext(connection) as ctx:
            grid = kpi_selectors.kpi_table(estates=chosen, months=months, now=NOW)
        counts.append(len(ctx.captured_queries))
        for estate in chosen:
            for label in months:
                alone = kpi.compute_all(
                    estate=estate, period=kpi.Period.month(estate.tz, label, now=NOW)
                )
                shown = {c.metric.key: c.ratio for c in grid.of(estate, label)}
                assert _parts(shown) == _parts(alone)
    assert counts == [2 + QUERIES_PER_BATCH] * 2


def _stored() -> tuple[set, set]:
    """Every stored figure and every stored member, as plain tuples."""
    figures = set(
        KpiSnapshot.objects.values_list(
            "estate__code", "period", "key", "numerator", "denominator", "rate", "computed_at"
        )
    )
    members = set(
        KpiMember.objects.values_list(
            "month__estate__code",
            "month__period",
            "source",
            "object_id",
            "flags",
            "amount_num",
            "amount_den",
        )
    )
    return figures, members


def test_storing_many_months_at_once_stores_what_storing_each_alone_does(estates):
    """The refresh (and the command, and the task) store all their months in one pass; the
    figures and the records behind each (the drill-down) are those of one month at a time."""
    KpiMonth.objects.update(state=KpiMonth.State.OPEN)
    jobs = _jobs(estates, MONTHS)
    assert services.kpi_snapshots_compute(jobs=jobs) == len(jobs)
    batch = _stored()
    for estate, period in jobs:
        services.kpi_snapshot_compute(estate=estate, period=period)
    alone = _stored()
    assert batch == alone
    figures, members = batch
    assert len(figures) == len(jobs) * len(kpi.metrics())
    sources = {m[2] for m in members}
    assert sources == {c.source for c in kpi.cohorts()}


def test_a_frozen_month_is_left_as_it_was_by_a_batch(estates):
    hy01 = estates[0]
    jobs = _jobs([hy01], ["2026-09", "2026-10"])
    services.kpi_snapshots_compute(jobs=jobs)
    KpiMonth.objects.filter(estate=hy01, period="2026-09").update(state=KpiMonth.State.FROZEN)
    mine = KpiSnapshot.objects.filter(estate=hy01)
    before = set(mine.filter(period="2026-09").values_list("key", "computed_at"))
    later = dt.datetime(2026, 11, 3, tzinfo=dt.UTC)
    jobs = [(hy01, kpi.Period.month(hy01.tz, label, now=later)) for label in ("2026-09", "2026-10")]
    assert services.kpi_snapshots_compute(jobs=jobs) == 1
    after = set(mine.filter(period="2026-09").values_list("key", "computed_at"))
    assert after == before
    assert set(mine.filter(period="2026-10").values_list("computed_at", flat=True)) == {later}

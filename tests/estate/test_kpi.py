"""The KPI engine's common rules: periods, rounding, null on zero, snapshots, the API shape."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from estate import kpi
from estate.errors import DomainError
from estate.models import KpiSnapshot, Unit
from estate.services import kpi_snapshot_compute, kpi_snapshots_refresh
from tests.factories import make_staff, make_unit

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def unit_metric(monkeypatch):
    """A throw-away metric over units, registered only for the test (real DB aggregate)."""
    monkeypatch.setattr(kpi, "_metrics", {})
    monkeypatch.setattr(kpi, "_groups", [])

    def compute(*, estate, period):
        agg = Unit.objects.filter(estate=estate).aggregate(
            num=Count("id", filter=Q(status=Unit.Status.OCCUPIED)),
            den=Count("id"),
            area=Count("id", filter=Q(floor_area__gt=1000)),
        )
        return {
            "test.occupied_rate": kpi.Ratio(agg["num"], agg["den"]),
            "test.empty_rate": kpi.Ratio(0, agg["area"]),
        }

    kpi.register_group(
        [
            kpi.Metric("test.occupied_rate", "入住率", "Occupancy rate"),
            kpi.Metric("test.empty_rate", "空置率", "Huge-unit rate"),
        ],
        compute,
    )


def test_month_period_is_local_calendar_month():
    p = kpi.Period.month("Asia/Shanghai", "2026-10")
    assert p.start == dt.datetime(2026, 10, 1, tzinfo=SH)
    assert p.end == dt.datetime(2026, 11, 1, tzinfo=SH)
    # 2026-09-30 16:00 UTC is 2026-10-01 00:00 in Shanghai: inside October.
    assert p.start == dt.datetime(2026, 9, 30, 16, 0, tzinfo=dt.UTC)
    assert kpi.Period.month("Asia/Shanghai", "2026-12").end == dt.datetime(2027, 1, 1, tzinfo=SH)


def test_a_report_at_2359_on_the_last_day_belongs_to_that_month():
    moment = dt.datetime(2026, 10, 31, 23, 59, tzinfo=SH)
    assert kpi.Period.containing("Asia/Shanghai", moment).label == "2026-10"
    assert (
        kpi.Period.containing("Asia/Shanghai", moment + dt.timedelta(minutes=1)).label == "2026-11"
    )


def test_daylight_saving_zone_month_bounds():
    p = kpi.Period.month("Europe/Berlin", "2026-10")
    assert p.start.utcoffset() == dt.timedelta(hours=2)
    assert p.end.utcoffset() == dt.timedelta(hours=1)  # clocks went back on 2026-10-25


@pytest.mark.parametrize("bad", ["2026-13", "2026-00", "2026-1", "26-10", "", "2026/10", "abcd-ef"])
def test_bad_period_is_a_field_error(bad):
    with pytest.raises(DomainError) as err:
        kpi.Period.month("Asia/Shanghai", bad)
    assert err.value.field == "period" and err.value.status == 422


def test_rate_rounds_half_up_to_four_places_and_is_null_on_zero():
    assert kpi.Ratio(2, 3).rate == Decimal("0.6667")
    assert kpi.Ratio(1, 8).rate == Decimal("0.1250")
    assert kpi.Ratio(1, 32).rate == Decimal("0.0313")  # 0.03125 → half-up
    assert kpi.Ratio(0, 5).rate == Decimal("0.0000")
    assert kpi.Ratio(0, 0).rate is None
    assert kpi.Ratio(Decimal("1234.56"), Decimal("2000.00")).rate == Decimal("0.6173")


def test_snapshot_written_once_and_updated_in_place(estate_a, unit_metric):
    make_unit(estate_a, status=Unit.Status.OCCUPIED)
    make_unit(estate_a, status=Unit.Status.VACANT)
    period = kpi.Period.month(estate_a.tz, "2026-10")
    kpi_snapshot_compute(estate=estate_a, period=period)
    make_unit(estate_a, status=Unit.Status.OCCUPIED)
    kpi_snapshot_compute(estate=estate_a, period=period)
    snaps = KpiSnapshot.objects.filter(estate=estate_a, period="2026-10")
    assert snaps.count() == 2
    occ = snaps.get(key="test.occupied_rate")
    assert (occ.numerator, occ.denominator, occ.rate) == (2, 3, Decimal("0.6667"))
    assert snaps.get(key="test.empty_rate").rate is None


def test_compute_kpis_command_and_periodic_task_write_snapshots(estate_a, estate_b, unit_metric):
    make_unit(estate_a)
    call_command("compute_kpis", "--estate", "HY01", "--period", "2026-10")
    assert set(KpiSnapshot.objects.values_list("estate__code", "period")) == {("HY01", "2026-10")}

    from estate.tasks import refresh_kpis

    now = dt.datetime(2026, 11, 2, 3, 0, tzinfo=SH)
    import time_machine

    with time_machine.travel(now, tick=False):
        refresh_kpis()  # immediate mode in tests: runs in-process
    periods = set(KpiSnapshot.objects.values_list("estate__code", "period"))
    assert {
        ("HY01", "2026-10"),
        ("HY01", "2026-11"),
        ("HY02", "2026-10"),
        ("HY02", "2026-11"),
    } <= periods


def test_refresh_twice_leaves_the_same_state(estate_a, unit_metric):
    make_unit(estate_a)
    now = dt.datetime(2026, 11, 2, 3, 0, tzinfo=SH)
    kpi_snapshots_refresh(now=now)
    first = list(KpiSnapshot.objects.order_by("period", "key").values_list("period", "key", "rate"))
    kpi_snapshots_refresh(now=now)
    again = list(KpiSnapshot.objects.order_by("period", "key").values_list("period", "key", "rate"))
    assert first == again and len(first) == 4


def test_kpi_api_shape(client, estate_a, manager_a, unit_metric):
    make_unit(estate_a, status=Unit.Status.OCCUPIED)
    make_unit(estate_a, status=Unit.Status.VACANT)
    make_unit(estate_a, status=Unit.Status.VACANT)
    client.force_login(manager_a)
    body = client.get("/api/v1/kpis", {"estate": "HY01", "period": "2026-10"}).json()
    assert body["estate"] == "HY01" and body["period"] == "2026-10"
    assert body["computed_at"].endswith("+08:00")
    assert body["metrics"] == [
        {
            "key": "test.occupied_rate",
            "label": "入住率",
            "numerator": "1",
            "denominator": "3",
            "rate": "0.3333",
        },
        {
            "key": "test.empty_rate",
            "label": "空置率",
            "numerator": "0",
            "denominator": "0",
            "rate": None,
        },
    ]
    # No snapshot of the month yet: computed for the answer, said so, and nothing stored.
    assert body["stored"] is False
    assert not KpiSnapshot.objects.filter(estate=estate_a).exists()
    kpi_snapshot_compute(estate=estate_a, period=kpi.Period.month(estate_a.tz, "2026-10"))
    # Served from the snapshot now stored: a new unit does not change it until recomputed.
    make_unit(estate_a, status=Unit.Status.OCCUPIED)
    again = client.get("/api/v1/kpis", {"estate": "HY01", "period": "2026-10"}).json()
    assert again["metrics"][0]["denominator"] == "3" and again["stored"] is True
    english = client.get(
        "/api/v1/kpis", {"estate": "HY01", "period": "2026-10"}, HTTP_ACCEPT_LANGUAGE="en"
    ).json()
    assert english["metrics"][0]["label"] == "Occupancy rate"


def test_kpi_api_date_range_and_bad_input(client, estate_a, manager_a, unit_metric):
    client.force_login(manager_a)
    ok = client.get("/api/v1/kpis", {"estate": "HY01", "from": "2026-10-01", "to": "2026-10-16"})
    assert ok.status_code == 200 and ok.json()["period"] == "2026-10-01..2026-10-16"
    bad = client.get("/api/v1/kpis", {"estate": "HY01", "period": "2026-13"})
    assert bad.status_code == 422 and bad.json()["field"] == "period"
    backwards = client.get(
        "/api/v1/kpis", {"estate": "HY01", "from": "2026-10-05", "to": "2026-10-01"}
    )
    assert backwards.status_code == 422 and backwards.json()["field"] == "to"
    assert client.get("/api/v1/kpis", {"estate": "NOPE", "period": "2026-10"}).status_code == 404
    assert client.get("/api/v1/kpis", {"estate": "HY01"}).status_code == 422


def test_kpi_of_another_estate_is_404(client, estate_a, estate_b, manager_a, unit_metric):
    client.force_login(manager_a)
    assert client.get("/api/v1/kpis", {"estate": "HY02", "period": "2026-10"}).status_code == 404


def test_technician_may_not_read_rates(client, estate_a, unit_metric):
    client.force_login(make_staff(estate_a, "technician"))
    response = client.get("/api/v1/kpis", {"estate": "HY01", "period": "2026-10"})
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_kpi_labels_are_kpi_mds_names(client, estate_a, manager_a):
    """KPI.md's API example: repairs.timely_rate is labelled 处理及时率."""
    client.force_login(manager_a)
    body = client.get("/api/v1/kpis", {"estate": "HY01", "period": "2026-10"}).json()
    labels = {m["key"]: m["label"] for m in body["metrics"]}
    assert labels["repairs.timely_rate"] == "处理及时率"
    assert labels["complaints.success_rate"] == "处理成功率"
    assert labels["fees.collection_rate"] == "收缴率"
    page = client.get("/kpis/", {"estate": "HY01", "period": "2026-10"}).content.decode()
    assert '<th colspan="5">报修</th>' in page and '<th colspan="5">投诉</th>' in page

"""The rates over several estates and months: GET /api/v1/kpis (ranges, several or all of a
user's estates, the KPI.md single-month shape unchanged), the trend endpoint, the selectors
the dashboard calls (kpi_table, kpi_trend, kpi_company_total), and the recompute button."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from estate import kpi, kpi_selectors
from estate.models import KpiMonth, KpiMonthLog, KpiSnapshot
from estate.services import kpi_snapshot_compute
from repairs.models import Ticket
from tests.factories import make_company_admin, make_estate, make_staff
from tests.repairs.factories import make_ticket

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 2, 3, 0, tzinfo=SH)
YEAR = [f"2025-{m:02d}" for m in (11, 12)] + [f"2026-{m:02d}" for m in range(1, 11)]


@pytest.fixture
def three(db):
    return [make_estate("HY01", "华苑"), make_estate("HY02", "翠湖"), make_estate("HY03", "锦园")]


def _store(estate, period: str, values: dict[str, tuple]) -> None:
    """Stored figures by hand (the API and the selectors read snapshots, whatever made them)."""
    for key in (m.key for m in kpi.metrics()):
        num, den = values.get(key, (0, 0))
        KpiSnapshot.objects.update_or_create(
            estate=estate,
            period=period,
            key=key,
            defaults={
                "numerator": num,
                "denominator": den,
                "rate": kpi.Ratio(num, den).rate,
                "computed_at": NOW,
            },
        )


def test_company_total_is_sum_of_numerators_over_sum_of_denominators(three):
    a, b, c = three
    key = "repairs.timely_rate"
    _store(a, "2026-10", {key: (1, 2)})  # 0.5000
    _store(b, "2026-10", {key: (9, 10)})  # 0.9000
    _store(c, "2026-10", {key: (0, 0)})  # no rate: adds nothing
    total = kpi_selectors.kpi_company_total(estates=three, period="2026-10", key=key)
    assert (total.numerator, total.denominator) == (10, 12)
    assert total.rate == Decimal("0.8333")  # an average of the rates would say 0.7000
    # Equal to the sums of the estates' figures in the table.
    grid = kpi_selectors.kpi_table(estates=three, months=["2026-10"], keys=[key])
    assert sum(c.ratio.numerator for c in grid.cells) == total.numerator
    assert sum(c.ratio.denominator for c in grid.cells) == total.denominator


def test_company_total_of_seeded_estates_matches_their_snapshots(three):
    """Live where a snapshot is missing: HY03 has tickets but no snapshot yet."""
    a, b, c = three
    key = "repairs.response_timely_rate"
    with time_machine.travel(NOW, tick=False):
        for estate in three:
            make_ticket(estate, now=dt.datetime(2026, 10, 5, 9, 0, tzinfo=SH))
        for estate in (a, b):
            kpi_snapshot_compute(estate=estate, period=kpi.Period.month(estate.tz, "2026-10"))
        total = kpi_selectors.kpi_company_total(estates=three, period="2026-10", key=key)
        figures = [
            kpi.compute_all(estate=e, period=kpi.Period.month(e.tz, "2026-10"), keys=[key])[key]
            for e in three
        ]
    assert total.numerator == sum(f.numerator for f in figures)
    assert total.denominator == sum(f.denominator for f in figures) == 3


def test_trend_sums_estates_month_by_month(three):
    a, b, _c = three
    key = "fees.collection_rate"
    _store(a, "2026-09", {key: (Decimal("100.00"), Decimal("200.00"))})
    _store(b, "2026-09", {key: (Decimal("50.00"), Decimal("50.00"))})
    _store(a, "2026-10", {key: (Decimal("10.00"), Decimal("40.00"))})
    trend = kpi_selectors.kpi_trend(estates=[a, b], key=key, months=["2026-09", "2026-10"])
    assert [(p, r.numerator, r.denominator) for p, r in trend] == [
        ("2026-09", Decimal("150.00"), Decimal("250.00")),
        ("2026-10", Decimal("10.00"), Decimal("40.00")),
    ]
    assert kpi_selectors.months_ending("2026-02", 3) == ["2025-12", "2026-01", "2026-02"]


def test_kpis_api_range_and_estates_shows_only_the_users_estates(three, client):
    a, b, c = three
    for estate in three:
        for period in ("2026-09", "2026-10"):
            _store(estate, period, {"repairs.timely_rate": (3, 4)})
    user = make_staff(a, "manager", "two-estates")
    make_staff(b, "front_desk", "other")  # b: someone else's role
    from estate.models import Membership

    Membership.objects.create(user=user, estate=b, role="finance")
    client.force_login(user)
    body = client.get(
        "/api/v1/kpis", {"estates": "all", "period_from": "2026-09", "period_to": "2026-10"}
    ).json()
    assert [(i["estate"], i["period"]) for i in body["items"]] == [
        ("HY01", "2026-09"),
        ("HY01", "2026-10"),
        ("HY02", "2026-09"),
        ("HY02", "2026-10"),
    ]  # never HY03
    assert body["count"] == 4
    item = body["items"][0]
    assert item["stored"] is True and item["frozen"] is False
    metric = next(m for m in item["metrics"] if m["key"] == "repairs.timely_rate")
    assert metric == {
        "key": "repairs.timely_rate",
        "label": "处理及时率",
        "numerator": "3",
        "denominator": "4",
        "rate": "0.7500",
    }
    assert {m["key"] for m in item["metrics"]} == {m.key for m in kpi.metrics()}
    # Several codes; one of another estate is not found; the KPI.md shape is unchanged.
    two = client.get("/api/v1/kpis", {"estates": "HY02,HY01", "period": "2026-10"}).json()
    assert [i["estate"] for i in two["items"]] == ["HY01", "HY02"]
    assert (
        client.get("/api/v1/kpis", {"estates": "HY01,HY03", "period": "2026-10"}).status_code == 404
    )
    single = client.get("/api/v1/kpis", {"estate": "HY01", "period": "2026-10"}).json()
    assert set(single) == {"estate", "period", "computed_at", "stored", "metrics"}
    bad = client.get(
        "/api/v1/kpis", {"estates": "HY01", "period_from": "2026-10", "period_to": "2026-01"}
    )
    assert bad.status_code == 422 and bad.json()["field"] == "to"
    assert client.get("/api/v1/kpis", {}).json()["field"] == "estate"
    # A technician may not read rates: "all" leaves that estate out, naming it refuses.
    tech = make_staff(c, "technician", "tech-c")
    client.force_login(tech)
    assert client.get("/api/v1/kpis", {"estates": "all", "period": "2026-10"}).json()["count"] == 0
    assert client.get("/api/v1/kpis", {"estates": "HY03", "period": "2026-10"}).status_code == 403


def test_kpis_api_twelve_months_runs_a_fixed_number_of_queries(
    three, client, django_assert_num_queries
):
    a = three[0]
    for period in YEAR:
        _store(a, period, {"repairs.timely_rate": (1, 2)})
    admin = make_company_admin("kpi-co")
    client.force_login(admin)
    client.get(
        "/api/v1/kpis", {"estates": "HY01", "period_from": "2025-11", "period_to": "2026-10"}
    )
    # 1 session, 2 user, 3 the estate by code, 4 the snapshots of the 12 months,
    # 5 the months' states — whatever the number of records behind the figures.
    with django_assert_num_queries(5):
        body = client.get(
            "/api/v1/kpis", {"estates": "HY01", "period_from": "2025-11", "period_to": "2026-10"}
        ).json()
    assert body["count"] == 12 and all(i["stored"] for i in body["items"])


def test_kpis_trend_api(three, client):
    a, b, c = three
    key = "repairs.timely_rate"
    for i, period in enumerate(YEAR):
        _store(a, period, {key: (i, 12)})
        _store(b, period, {key: (1, 12)})
        _store(c, period, {key: (12, 12)})
    user = make_staff(a, "manager", "trend-mgr")
    from estate.models import Membership

    Membership.objects.create(user=user, estate=b, role="manager")
    client.force_login(user)
    body = client.get(
        "/api/v1/kpis/trend", {"key": key, "estates": "all", "period": "2026-10"}
    ).json()
    assert body["estates"] == ["HY01", "HY02"] and body["months"] == YEAR
    (series,) = body["series"]
    assert series["key"] == key and series["label"] == "处理及时率"
    assert len(series["points"]) == 12 and series["points"][0]["period"] == "2025-11"
    assert series["points"][-1] == {
        "period": "2026-10",
        "numerator": "12",  # 11 + 1, never HY03's
        "denominator": "24",
        "rate": "0.5000",
    }
    one = client.get(
        "/api/v1/kpis/trend", {"key": key, "estate": "HY01", "months": 3, "period": "2026-10"}
    )
    assert [p["numerator"] for p in one.json()["series"][0]["points"]] == ["9", "10", "11"]
    every = client.get("/api/v1/kpis/trend", {"estate": "HY01", "period": "2026-10"}).json()
    assert [s["key"] for s in every["series"]] == [m.key for m in kpi.metrics()]
    assert (
        client.get("/api/v1/kpis/trend", {"key": "nope", "estate": "HY01"}).json()["field"] == "key"
    )
    assert client.get("/api/v1/kpis/trend", {"key": key, "estate": "HY03"}).status_code == 404


def test_recompute_button_runs_the_task_and_shows_the_new_figure(db, client):
    estate = make_estate("HY01", "华苑")
    manager = make_staff(estate, "manager", "btn-mgr")
    client.force_login(manager)
    period = "2026-10"
    with time_machine.travel(NOW, tick=False):
        make_ticket(estate, now=dt.datetime(2026, 10, 5, 9, 0, tzinfo=SH))
        kpi_snapshot_compute(estate=estate, period=kpi.Period.month(estate.tz, period))
        make_ticket(estate, now=dt.datetime(2026, 10, 6, 9, 0, tzinfo=SH))
        page = client.get(reverse("kpi_table"), {"estate": "HY01", "period": period})
        assert 'data-testid="recomputing"' not in page.content.decode()
    # While the task waits, the page says so and polls the month's state.
    KpiMonth.objects.filter(estate=estate, period=period).update(recompute_requested_at=NOW)
    page = client.get(reverse("kpi_table"), {"estate": "HY01", "period": period})
    assert 'data-testid="recomputing"' in page.content.decode()
    assert reverse("kpi_month_status") in page.content.decode()
    KpiMonth.objects.filter(estate=estate, period=period).update(recompute_requested_at=None)
    later = NOW + dt.timedelta(hours=1)
    with time_machine.travel(later, tick=False):
        response = client.post(reverse("kpi_recompute"), {"estate": "HY01", "period": period})
        assert response.status_code == 302
        page = client.get(reverse("kpi_table"), {"estate": "HY01", "period": period})
    snap = KpiSnapshot.objects.get(estate=estate, period=period, key="repairs.response_timely_rate")
    assert snap.computed_at == later  # Huey (immediate in tests) stored a new figure
    row = next(r for r in page.context["rows"] if r["metric"].key == snap.key)
    assert row["ratio"].denominator == snap.denominator
    assert page.context["computed_at"] == later
    assert not page.context["status"].recomputing
    entry = KpiMonthLog.objects.get(action="recomputed")
    assert entry.user == manager
    status = client.get(reverse("kpi_month_status"), {"estate": "HY01", "period": period})
    assert status.status_code == 200
    other = make_estate("HY09", "别处")
    assert (
        client.get(
            reverse("kpi_month_status"), {"estate": other.code, "period": period}
        ).status_code
        == 404
    )
    assert Ticket.objects.count() == 2


def test_periodic_refresh_keeps_every_open_month_fresh_and_freezes_closed_ones(db):
    estate = make_estate("HY01", "华苑")
    from estate.services import kpi_month_unfreeze, kpi_snapshots_refresh

    with time_machine.travel(dt.datetime(2026, 8, 10, 9, 0, tzinfo=SH), tick=False):
        kpi_snapshots_refresh()  # July (past 08-05: computed and frozen) and August
    states = dict(KpiMonth.objects.values_list("period", "state"))
    assert states == {"2026-07": "frozen", "2026-08": "open"}
    with time_machine.travel(dt.datetime(2026, 9, 3, 9, 0, tzinfo=SH), tick=False):
        admin = make_company_admin("co")
        kpi_month_unfreeze(
            estate=estate,
            period=kpi.Period.month(estate.tz, "2026-07"),
            by=admin,
            reason="补录",
        )
        kpi_snapshots_refresh()  # August open (before 09-05), September, reopened July
    months = {m.period: m for m in KpiMonth.objects.all()}
    assert {p: m.state for p, m in months.items()} == {
        "2026-07": "reopened",
        "2026-08": "open",
        "2026-09": "open",
    }
    assert all(m.computed_at == dt.datetime(2026, 9, 3, 9, 0, tzinfo=SH) for m in months.values())
    with time_machine.travel(dt.datetime(2026, 9, 6, 0, 0, tzinfo=SH), tick=False):
        kpi_snapshots_refresh()  # August closes; July stays reopened until a manager freezes
    states = dict(KpiMonth.objects.values_list("period", "state"))
    assert states == {"2026-07": "reopened", "2026-08": "frozen", "2026-09": "open"}
    assert timezone.now()

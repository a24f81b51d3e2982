"""One figure, from the headline to the records: on a seeded data set every numerator and
denominator on the rates page equals what the drill-down list it links to holds (its count, or
for a money rate the yuan it counted) — right after computing, after the clock moved a week
without recomputing, and for a frozen month after back-dated records were added. Unfreezing
recomputes and logs."""

import datetime as dt
from decimal import Decimal
from html import unescape
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from estate import kpi, kpi_selectors
from estate.models import Estate, KpiMember, KpiMonth, KpiMonthLog, KpiSnapshot
from estate.services import kpi_snapshots_refresh
from fees.models import Bill
from repairs.models import Ticket
from tests.factories import make_company_admin, make_staff

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 2, 3, 0, tzinfo=SH)  # before 11-05: October is still open
MONTHS = ["2026-09", "2026-10", "2026-11"]


@pytest.fixture
def seeded(db):
    with time_machine.travel(NOW, tick=False):
        call_command(
            "seed_demo",
            "--estates",
            "2",
            "--months",
            "3",
            "--seed",
            "7",
            "--units-per-estate",
            "30",
            "--now",
            NOW.isoformat(),
        )
        kpi_snapshots_refresh(now=NOW, periods=MONTHS)
    return list(Estate.objects.order_by("code"))


def _listed(client, url: str) -> tuple[int, Decimal | None]:
    """(how many records the drill-down page lists, the yuan it says were counted if any)."""
    response = client.get(url)
    assert response.status_code == 200, url
    ctx = response.context
    if "totals" in ctx:  # the bills page
        return ctx["totals"]["count"], ctx.get("counted")
    page = ctx["page"]
    count = page.paginator.count if hasattr(page, "paginator") else page.count
    return count, None


def _rows(client, estate, period: str):
    """(metric, ratio, numerator link, denominator link) of every rate on the rates page."""
    response = client.get(reverse("kpi_table"), {"estate": estate.code, "period": period})
    assert response.status_code == 200
    return [
        (r["metric"], r["ratio"], r["num_link"], r["den_link"]) for r in response.context["rows"]
    ]


def _dashboard_rows(client, estate, period: str):
    """The same four of every rate on the manager's dashboard."""
    response = client.get(reverse("dashboard:dashboard"), {"estate": estate.code, "period": period})
    assert response.status_code == 200
    return [
        (r.metric, r.current.ratio, r.num_link, r.den_link) for r in response.context["board"].rows
    ]


def _assert_figures_equal_drilldowns(client, estate, period: str, rows=_rows) -> int:
    """Every linked figure (of the rates page, or of the dashboard with ``rows``) equals its
    list; returns how many figures were non-zero."""
    nonzero = 0
    for metric, ratio, num_link, den_link in rows(client, estate, period):
        for part, figure, link in (
            ("numerator", ratio.numerator, num_link),
            ("denominator", ratio.denominator, den_link),
        ):
            assert link, f"{metric.key} {part} has no drill-down"
            assert "snapshot=" in link, f"{metric.key}: the figure is stored, the link names it"
            count, counted = _listed(client, unescape(link))
            if metric.unit == "cny":
                assert counted == figure, (metric.key, part, period, counted, figure)
            else:
                assert count == figure, (metric.key, part, period, count, figure)
            nonzero += bool(figure)
    return nonzero


@pytest.fixture
def admin_client(client, seeded):
    client.force_login(make_company_admin("kpi-admin"))
    return client


def test_every_figure_equals_its_drilldown_list(admin_client, seeded):
    nonzero = 0
    with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False):
        for estate in seeded:
            for period in MONTHS:
                nonzero += _assert_figures_equal_drilldowns(admin_client, estate, period)
        # The dashboard's counts link to the same records.
        dashboard = _assert_figures_equal_drilldowns(
            admin_client, seeded[0], "2026-10", _dashboard_rows
        )
        assert dashboard > 10
    # The seeded data set gives real figures in every module, not zeros everywhere.
    assert nonzero > 60
    keys = {s.key for s in KpiSnapshot.objects.filter(numerator__gt=0)}
    for prefix in ("repairs.", "complaints.", "movein.", "fees.", "renovation.", "community."):
        assert any(k.startswith(prefix) for k in keys), prefix


def test_figures_equal_drilldowns_a_week_later_without_recomputing(admin_client, seeded):
    """The clock moves a week and records change; nothing is recomputed. The lists still hold
    exactly what the stored figures counted, although a live evaluation now differs."""
    estate = seeded[0]
    october = kpi.Period.month(estate.tz, "2026-10", now=NOW + dt.timedelta(days=7))
    with time_machine.travel(NOW + dt.timedelta(days=7), tick=False):
        # Work went on: tickets got answered and resolved, return visits were rated.
        cohort = Ticket.objects.filter(
            estate=estate, reported_at__gte=october.start, reported_at__lt=october.end
        )
        cohort.filter(first_response_at__isnull=True).update(
            first_response_at=NOW + dt.timedelta(days=6)
        )
        cohort.filter(return_visit_rating__isnull=True).update(return_visit_rating=5)
        Bill.objects.filter(
            estate=estate, due_date__gte=october.start_date, due_date__lt=october.end_date
        ).update(amount_paid=0, fully_paid_at=None)
        for period in MONTHS:
            _assert_figures_equal_drilldowns(admin_client, estate, period)
        _assert_figures_equal_drilldowns(admin_client, estate, "2026-10", _dashboard_rows)
        live = kpi.compute_all(estate=estate, period=october)
    stored = {s.key: s for s in KpiSnapshot.objects.filter(estate=estate, period="2026-10")}
    drifted = [
        k
        for k, r in live.items()
        if (r.numerator, r.denominator) != (stored[k].numerator, stored[k].denominator)
    ]
    # Without the stored membership these lists would have drifted from the figures.
    assert "repairs.satisfaction_rate" in drifted and "fees.collection_rate" in drifted


def test_frozen_month_keeps_figure_and_drilldown_after_backdated_records(admin_client, seeded):
    estate = seeded[0]
    later = dt.datetime(2026, 11, 10, 9, 0, tzinfo=SH)  # past the 5th: October closes
    with time_machine.travel(later, tick=False):
        kpi_snapshots_refresh(now=later)
        month = KpiMonth.objects.get(estate=estate, period="2026-10")
        assert month.state == KpiMonth.State.FROZEN and month.frozen_at == later
        assert KpiMonthLog.objects.filter(month=month, action="frozen").exists()
        frozen = {
            s.key: (s.numerator, s.denominator, s.computed_at)
            for s in KpiSnapshot.objects.filter(estate=estate, period="2026-10")
        }
        # A back-dated repair ticket of October arrives, and an October bill gets paid.
        ticket = Ticket.objects.filter(estate=estate, kind="repair").first()
        ticket.pk = None
        ticket.number = "BX-LATE-1"
        ticket.tracking_code = "late-ticket-tracking-1"
        ticket.reported_at = dt.datetime(2026, 10, 20, 10, 0, tzinfo=SH)
        ticket.status = Ticket.Status.CLOSED
        ticket.outcome = Ticket.Outcome.SOLVED
        ticket.reopen_count = 0
        ticket.save()
        kpi_snapshots_refresh(now=later + dt.timedelta(minutes=15))  # the periodic task
        after = {
            s.key: (s.numerator, s.denominator, s.computed_at)
            for s in KpiSnapshot.objects.filter(estate=estate, period="2026-10")
        }
        assert after == frozen  # late data does not move a frozen month
        _assert_figures_equal_drilldowns(admin_client, estate, "2026-10")
        _assert_figures_equal_drilldowns(admin_client, estate, "2026-10", _dashboard_rows)
        # Both pages say the month is frozen and how many records changed since: one, the
        # late ticket (nothing else moved: the clock stands where it was frozen).
        for name in ("kpi_table", "dashboard:dashboard"):
            page = admin_client.get(reverse(name), {"estate": estate.code, "period": "2026-10"})
            assert page.context["status"].frozen
            assert page.context["changed_records"] == 1, name
            text = page.content.decode()
            assert 'data-testid="frozen"' in text
            assert 'data-testid="changed-since" data-changed="1"' in text

        # Recompute is refused while frozen; a manager unfreezes with a reason.
        manager = make_staff(estate, "manager", "kpi-mgr")
        admin_client.force_login(manager)
        admin_client.post(reverse("kpi_recompute"), {"estate": estate.code, "period": "2026-10"})
        assert (
            KpiSnapshot.objects.get(
                estate=estate, period="2026-10", key="repairs.success_rate"
            ).denominator
            == frozen["repairs.success_rate"][1]
        )
        response = admin_client.post(
            reverse("kpi_unfreeze"),
            {"estate": estate.code, "period": "2026-10", "reason": "补录10月工单"},
        )
        assert response.status_code == 302
    month.refresh_from_db()
    assert month.state == KpiMonth.State.REOPENED
    entry = KpiMonthLog.objects.filter(month=month, action="unfrozen").get()
    assert (entry.user, entry.user_name, entry.reason, entry.at) == (
        manager,
        "kpi-mgr",
        "补录10月工单",
        later,
    )
    success = KpiSnapshot.objects.get(estate=estate, period="2026-10", key="repairs.success_rate")
    assert success.denominator == frozen["repairs.success_rate"][1] + 1  # recomputed
    assert success.computed_at == later
    with time_machine.travel(later, tick=False):
        _assert_figures_equal_drilldowns(admin_client, estate, "2026-10")


def test_unfreeze_needs_a_reason_and_a_manager(client, seeded):
    estate = seeded[0]
    later = dt.datetime(2026, 11, 10, 9, 0, tzinfo=SH)
    with time_machine.travel(later, tick=False):
        kpi_snapshots_refresh(now=later)
        client.force_login(make_staff(estate, "front_desk", "kpi-fd"))
        response = client.post(
            reverse("kpi_unfreeze"), {"estate": estate.code, "period": "2026-10", "reason": "x"}
        )
        assert response.status_code == 403
        client.force_login(make_staff(estate, "manager", "kpi-mgr2"))
        response = client.post(
            reverse("kpi_unfreeze"),
            {"estate": estate.code, "period": "2026-10", "reason": " "},
            follow=True,
        )
        assert "请说明解冻该月的原因。" in response.content.decode()  # next to the form
    assert KpiMonth.objects.get(estate=estate, period="2026-10").state == "frozen"


def test_a_snapshot_of_another_estate_is_not_found(admin_client, seeded):
    a, b = seeded
    snap = KpiSnapshot.objects.get(estate=b, period="2026-10", key="repairs.timely_rate")
    url = reverse("repairs:queue")
    response = admin_client.get(
        url,
        {
            "estate": a.code,
            "metric": "repairs.timely_rate",
            "period": "2026-10",
            "part": "numerator",
            "snapshot": snap.pk,
        },
    )
    assert response.status_code == 404


def test_membership_is_one_row_per_counted_record(seeded):
    """The stored membership is compact: one row per record of a cohort, whatever the number
    of metrics that count it (a ticket counts in up to ten parts, one row)."""
    estate = seeded[0]
    october = kpi.Period.month(estate.tz, "2026-10", now=NOW)
    month = KpiMonth.objects.get(estate=estate, period="2026-10")
    tickets = KpiMember.objects.filter(month=month, source="repairs.ticket")
    cohort = Ticket.objects.filter(
        estate=estate, reported_at__gte=october.start, reported_at__lt=october.end
    ).exclude(status=Ticket.Status.CANCELLED)
    assert tickets.count() == tickets.values("object_id").distinct().count()
    assert 0 < tickets.count() <= cohort.count()


def test_member_total_equals_stored_figure(seeded):
    for snap in KpiSnapshot.objects.filter(period="2026-10"):
        for part, figure in (("numerator", snap.numerator), ("denominator", snap.denominator)):
            assert Decimal(kpi_selectors.member_total(snap, part)) == figure, (snap.key, part)

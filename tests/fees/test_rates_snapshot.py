"""One figure for every place that shows a fee rate: the collection overview, the statement
PDF, the rates page and GET /api/v1/kpis read the same stored snapshot and say when it was
computed; no GET writes one; the timely rate and its drill-down share one definition."""

import datetime as dt
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from estate import kpi
from estate.models import KpiSnapshot
from estate.services import kpi_snapshot_compute
from fees import selectors
from fees.metrics import compute
from tests.factories import make_staff, make_unit
from tests.fees.factories import make_bill, pay

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 5, 9, 0, tzinfo=SH)
WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


@pytest.fixture
def october(estate_a):
    """Two bills due in October 2026, one paid on time: collection 300/400, timely 1/2."""
    finance = make_staff(estate_a, "finance")
    issued = dt.datetime(2026, 10, 1, 9, tzinfo=SH)
    paid = make_bill(make_unit(estate_a), "300.00", due=dt.date(2026, 10, 15), issued_at=issued)
    make_bill(make_unit(estate_a), "100.00", due=dt.date(2026, 10, 20), issued_at=issued)
    with time_machine.travel(dt.datetime(2026, 10, 10, 9, tzinfo=SH), tick=False):
        pay(paid.unit, "300.00", finance)
    return finance


def _writes(queries) -> list[str]:
    """The writes among the captured queries, except the session row Django may touch."""
    return [
        q["sql"] for q in queries if WRITES.match(q["sql"]) and "django_session" not in q["sql"]
    ]


def test_no_get_writes_a_snapshot_or_anything_else(client, estate_a, october):
    manager = make_staff(estate_a, "manager")
    client.force_login(manager)
    month = {"estate": "HY01", "period": "2026-10"}
    with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as queries:
        pages = [
            client.get(reverse("kpi_table"), month),
            client.get(reverse("fees:overview"), month),
            client.get(reverse("fees:statement_pdf"), month),
            client.get("/api/v1/kpis", month),
        ]
    assert [p.status_code for p in pages] == [200, 200, 200, 200]
    assert KpiSnapshot.objects.count() == 0
    assert _writes(queries.captured_queries) == []
    # Without a snapshot every place shows the same figure, computed now and said so.
    assert pages[1].context["stored"] is False and pages[3].json()["stored"] is False


def _rates_page(client, period="2026-10"):
    response = client.get(reverse("kpi_table"), {"estate": "HY01", "period": period})
    rows = {row["metric"].key: row for row in response.context["rows"]}
    return rows, response.context["computed_at"]


def _overview(client, period="2026-10"):
    response = client.get(reverse("fees:overview"), {"estate": "HY01", "period": period})
    rows = {row["metric"].key: row for row in response.context["rates"]}
    return rows, response.context["computed_at"], response.content.decode()


def _api(client, period="2026-10"):
    body = client.get("/api/v1/kpis", {"estate": "HY01", "period": period}).json()
    return {m["key"]: m for m in body["metrics"]}, body


def test_after_a_payment_every_place_shows_the_snapshot_until_recomputed(client, estate_a, october):
    manager = make_staff(estate_a, "manager")
    client.force_login(manager)
    computed = dt.datetime(2026, 11, 2, 3, 0, tzinfo=SH)
    with time_machine.travel(computed, tick=False):
        kpi_snapshot_compute(estate=estate_a, period=kpi.Period.month(SH, "2026-10"))
    late = make_bill(
        make_unit(estate_a),
        "100.00",
        due=dt.date(2026, 10, 25),
        issued_at=dt.datetime(2026, 10, 1, 9, tzinfo=SH),
    )
    with time_machine.travel(NOW, tick=False):
        pay(late.unit, "100.00", october)  # paid after the snapshot: 400/500 live
        live = compute(estate=estate_a, period=kpi.Period.month(SH, "2026-10"))
        page, page_at = _rates_page(client)
        over, over_at, html = _overview(client)
        api, body = _api(client)
    assert live["fees.collection_rate"].rate == Decimal("0.8000")
    for key in ("fees.collection_rate", "fees.timely_rate", "fees.accuracy_rate"):
        assert page[key]["ratio"] == over[key]["ratio"], key
        assert api[key]["rate"] == str(over[key]["ratio"].rate), key
    assert over["fees.collection_rate"]["ratio"].rate == Decimal("0.7500")  # the snapshot's
    assert page_at == over_at == computed
    assert body["computed_at"] == "2026-11-02T03:00:00+08:00" and body["stored"] is True
    assert "2026-11-02 03:00" in html and "75.00%" in html

    client.post(reverse("kpi_recompute"), {"estate": "HY01", "period": "2026-10"})
    with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False):
        page, page_at = _rates_page(client)
        over, over_at, html = _overview(client)
        api, body = _api(client)
    assert over["fees.collection_rate"]["ratio"].rate == Decimal("0.8000")
    assert page["fees.collection_rate"]["ratio"] == over["fees.collection_rate"]["ratio"]
    assert api["fees.collection_rate"]["rate"] == "0.8000"
    assert page_at == over_at and page_at > computed


def test_the_statement_pdf_prints_the_snapshot(client, estate_a, october, monkeypatch):
    from fees.pdf import statements

    seen = {}
    original = statements.estate_selectors.kpi_table

    def spy(**kw):
        seen["table"] = original(**kw)
        return seen["table"]

    monkeypatch.setattr(statements.estate_selectors, "kpi_table", spy)
    computed = dt.datetime(2026, 11, 2, 3, 0, tzinfo=SH)
    with time_machine.travel(computed, tick=False):
        kpi_snapshot_compute(estate=estate_a, period=kpi.Period.month(SH, "2026-10"))
    client.force_login(make_staff(estate_a, "manager"))
    response = client.get(reverse("fees:statement_pdf"), {"estate": "HY01", "period": "2026-10"})
    assert response.status_code == 200
    table = seen["table"]
    assert table.stored and table.computed_at == computed
    assert table["fees.collection_rate"].ratio.rate == Decimal("0.7500")


def test_the_timely_drill_down_lists_exactly_the_bills_the_metric_counts(
    estate_a, finance_a, manager_a
):
    """A hand-built month: on time (UTC and local dates agree), late by local date only,
    unpaid and past due, unpaid not yet due, partly paid, voided, due in another month."""
    d, tz = dt.date, SH

    def bill(number, amount, due):
        unit = make_unit(estate_a, number)
        return make_bill(unit, amount, due=due, issued_at=dt.datetime(2026, 10, 1, tzinfo=tz))

    on_time = bill("2-1-101", "100.00", d(2026, 10, 10))
    late_local = bill("2-1-102", "100.00", d(2026, 10, 12))
    bill("2-1-103", "100.00", d(2026, 10, 14))  # unpaid, past due at now: judged, not on time
    bill("2-1-104", "100.00", d(2026, 10, 30))  # unpaid, not due yet: outside both
    partial = bill("2-1-105", "100.00", d(2026, 10, 5))
    bill("2-1-106", "100.00", d(2026, 11, 3))  # another month
    with time_machine.travel(dt.datetime(2026, 10, 9, 12, tzinfo=tz), tick=False):
        pay(on_time.unit, "100.00", finance_a)
    with time_machine.travel(dt.datetime(2026, 10, 13, 0, 30, tzinfo=tz), tick=False):
        pay(late_local.unit, "100.00", finance_a)  # 10-12 16:30 UTC, 10-13 in Shanghai
    with time_machine.travel(dt.datetime(2026, 10, 4, tzinfo=tz), tick=False):
        pay(partial.unit, "40.00", finance_a)
    period = kpi.Period.month(tz, "2026-10", now=dt.datetime(2026, 10, 20, 12, tzinfo=tz))

    ratio = compute(estate=estate_a, period=period)["fees.timely_rate"]

    def listed(part):
        filters = selectors.BillFilters(
            due_from=period.start_date, due_to=period.end_date, voided=False, paid=part
        )
        return selectors.bill_list(
            user=manager_a, estate=estate_a, filters=filters, today=period.today
        )

    assert (ratio.numerator, ratio.denominator) == (1, 4)
    assert listed("on_time").count() == ratio.numerator
    assert listed("judged").count() == ratio.denominator
    assert list(listed("on_time")) == [on_time]

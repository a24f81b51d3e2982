"""清欠率 (fees.arrears_recovery_rate) on hand-built bills with exact values, its drill-down,
and GET /api/v1/allocations, from which anyone can recompute it (KPI.md)."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from estate import kpi
from estate.models import KpiSnapshot
from estate.services import kpi_snapshot_compute
from fees import services
from tests.factories import make_staff, make_unit
from tests.fees.factories import make_bill, make_finance, pay

SH = ZoneInfo("Asia/Shanghai")
KEY = "fees.arrears_recovery_rate"


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SH)


@pytest.fixture
def book(estate_a):
    """October 2026 of HY01 (times local):

    | bill | due   | amount | before 10-01                | in October                  | cohort? | owed at start | recovered |
    | B1   | 09-15 | 100    | 30 paid 09-20               | 50 paid 10-10               | yes     | 70            | 50        |
    | B2   | 08-15 | 200    | —                           | 200 paid 10-05, reversed 10-20 | yes  | 200           | 0 (net)   |
    | B3   | 09-10 | 80     | 80 paid 09-12               | —                           | no (paid) |             |           |
    | B4   | 10-15 | 100    | —                           | 100 paid 10-16              | no (due in Oct: 收缴率's) |  |      |
    | B5   | 09-01 | 60     | voided 09-05                | —                           | no (voided) |           |           |
    | B6   | 07-01 | 120    | 120 paid 09-30 23:00        | —                           | no (paid at start) |    |           |
    | B7   | 09-20 | 40     | —                           | 40 paid 11-01 00:00         | yes     | 40            | 0         |
    | B8   | 09-05 | 90     | 90 paid 09-25               | reversed 10-12              | no (paid at start) |    |           |

    清欠率 = (50 + 0 + 0) / (70 + 200 + 40) = 50 / 310 = 0.1613."""
    fin = make_finance(estate_a)
    units = {n: make_unit(estate_a, f"1-1-{n}01") for n in range(1, 9)}
    due = {
        1: dt.date(2026, 9, 15),
        2: dt.date(2026, 8, 15),
        3: dt.date(2026, 9, 10),
        4: dt.date(2026, 10, 15),
        5: dt.date(2026, 9, 1),
        6: dt.date(2026, 7, 1),
        7: dt.date(2026, 9, 20),
        8: dt.date(2026, 9, 5),
    }
    amount = {1: "100", 2: "200", 3: "80", 4: "100", 5: "60", 6: "120", 7: "40", 8: "90"}
    with time_machine.travel(at("2026-06-20 09:00"), tick=False):
        bills = {n: make_bill(units[n], amount[n], due=due[n]) for n in units}
    steps = [
        ("2026-09-05 10:00", lambda: services.bill_void(bill=bills[5], reason="重复", by=fin)),
        ("2026-09-12 10:00", lambda: pay(units[3], "80", fin, bills=[bills[3].pk])),
        ("2026-09-20 10:00", lambda: pay(units[1], "30", fin, bills=[bills[1].pk])),
        ("2026-09-25 10:00", lambda: pay(units[8], "90", fin, bills=[bills[8].pk])),
        ("2026-09-30 23:00", lambda: pay(units[6], "120", fin, bills=[bills[6].pk])),
        ("2026-10-05 10:00", lambda: pay(units[2], "200", fin, bills=[bills[2].pk])),
        ("2026-10-10 10:00", lambda: pay(units[1], "50", fin, bills=[bills[1].pk])),
        ("2026-10-16 10:00", lambda: pay(units[4], "100", fin, bills=[bills[4].pk])),
        ("2026-11-01 00:00", lambda: pay(units[7], "40", fin, bills=[bills[7].pk])),
    ]
    payments = {}
    for when, step in steps:
        with time_machine.travel(at(when), tick=False):
            payments[when] = step()
    with time_machine.travel(at("2026-10-12 10:00"), tick=False):
        services.payment_reverse(payment=payments["2026-09-25 10:00"], reason="退票", by=fin)
    with time_machine.travel(at("2026-10-20 10:00"), tick=False):
        services.payment_reverse(payment=payments["2026-10-05 10:00"], reason="错收", by=fin)
    for bill in bills.values():
        bill.refresh_from_db()
    return bills


def test_arrears_recovery_rate_hand_built(book, estate_a):
    period = kpi.Period.month(estate_a.tz, "2026-10", now=at("2026-11-02 03:00"))
    ratio = kpi.compute_all(estate=estate_a, period=period, keys=[KEY])[KEY]
    assert (ratio.numerator, ratio.denominator) == (Decimal("50.00"), Decimal("310.00"))
    assert ratio.rate == Decimal("0.1613")
    # Stored: the snapshot (from its stored members) gives the same figure.
    kpi_snapshot_compute(estate=estate_a, period=period)
    snap = KpiSnapshot.objects.get(estate=estate_a, period="2026-10", key=KEY)
    assert (snap.numerator, snap.denominator, snap.rate) == (
        Decimal("50.00"),
        Decimal("310.00"),
        Decimal("0.1613"),
    )
    # 收缴率 judges October's own bills: B4 only (100 of 100).
    collection = KpiSnapshot.objects.get(
        estate=estate_a, period="2026-10", key="fees.collection_rate"
    )
    assert (collection.numerator, collection.denominator) == (Decimal("100.00"), Decimal("100.00"))


def test_arrears_recovery_is_registered_beside_collection_rate():
    keys = [m.key for m in kpi.metrics()]
    assert keys[keys.index("fees.collection_rate") + 1] == KEY
    assert kpi.get(KEY).label_zh == "清欠率" and kpi.get(KEY).unit == "cny"


def test_arrears_recovery_drilldown_lists_the_cohort(book, estate_a, manager_a, client):
    client.force_login(manager_a)
    period = kpi.Period.month(estate_a.tz, "2026-10", now=at("2026-11-02 03:00"))
    with time_machine.travel(at("2026-11-02 03:00"), tick=False):
        # Live (no snapshot yet): the link names the arrears cohort of the month.
        metric = kpi.get(KEY)
        den = client.get(metric.link(estate_a, period, "denominator"))
        num = client.get(metric.link(estate_a, period, "numerator"))
        assert {b.pk for b in den.context["page"].rows} == {book[n].pk for n in (1, 2, 7)}
        assert den.context["counted"] == Decimal("310.00")
        assert [b.pk for b in num.context["page"].rows] == [book[1].pk]  # B2 recovered net 0
        assert num.context["counted"] == Decimal("50.00")
        # Stored: the page's link names the snapshot and lists what it counted.
        kpi_snapshot_compute(estate=estate_a, period=period)
        rows = client.get(reverse("kpi_table"), {"estate": "HY01", "period": "2026-10"})
        row = next(r for r in rows.context["rows"] if r["metric"].key == KEY)
        assert "snapshot=" in row["den_link"]
        stored = client.get(row["den_link"].replace("&amp;", "&"))
        assert stored.context["totals"]["count"] == 3
        assert stored.context["counted"] == Decimal("310.00")
    # B7's debt is paid later; the stored drill-down still shows what October counted.
    with time_machine.travel(at("2026-11-03 10:00"), tick=False):
        stored = client.get(row["den_link"].replace("&amp;", "&"))
        assert stored.context["counted"] == Decimal("310.00")


def test_allocations_api(book, estate_a, estate_b, client):
    user = make_staff(estate_a, "manager", "alloc-mgr")
    client.force_login(user)
    url = "/api/v1/allocations"
    body = client.get(
        url, {"estate": "HY01", "applied_from": "2026-10-01", "applied_to": "2026-11-01"}
    ).json()
    got = [(i["bill"], i["amount"], i["applied_at"][:16]) for i in body["items"]]
    assert got == [
        (book[2].pk, "200.00", "2026-10-05T10:00"),
        (book[1].pk, "50.00", "2026-10-10T10:00"),
        (book[8].pk, "-90.00", "2026-10-12T10:00"),  # a reversal: negative, on its day
        (book[4].pk, "100.00", "2026-10-16T10:00"),
        (book[2].pk, "-200.00", "2026-10-20T10:00"),
    ]
    assert body["count"] == 5
    first = body["items"][0]
    assert set(first) == {"id", "payment", "bill", "bill_due_date", "amount", "applied_at"}
    assert first["bill_due_date"] == "2026-08-15" and first["applied_at"].endswith("+08:00")
    # 清欠率's numerator from the API alone: October's allocations to bills of the cohort.
    cohort = {book[1].pk, book[2].pk, book[7].pk}
    assert sum(Decimal(i["amount"]) for i in body["items"] if i["bill"] in cohort) == 50
    # Pagination, the whole history, bad input, another estate.
    page = client.get(url, {"estate": "HY01", "limit": 2, "offset": 1}).json()
    assert page["count"] == 10 and len(page["items"]) == 2
    bad = client.get(
        url, {"estate": "HY01", "applied_from": "2026-10-05", "applied_to": "2026-10-01"}
    )
    assert bad.status_code == 422 and bad.json()["field"] == "applied_to"
    assert client.get(url, {"estate": "HY02"}).status_code == 404
    client.force_login(make_staff(estate_a, "technician", "alloc-tech"))
    assert client.get(url, {"estate": "HY01"}).status_code == 403


def test_a_payment_dated_into_a_frozen_month_is_refused(book, estate_a):
    from estate.errors import DomainError
    from estate.kpi_selectors import month_is_frozen
    from estate.services import kpi_month_freeze

    fin = make_staff(estate_a, "finance", "fin-frozen")
    with time_machine.travel(at("2026-11-10 09:00"), tick=False):
        period = kpi.Period.month(estate_a.tz, "2026-10")
        assert not month_is_frozen(estate_a, dt.date(2026, 10, 20))
        kpi_month_freeze(estate=estate_a, period=period)
        assert month_is_frozen(estate_a, dt.date(2026, 10, 20))
        assert month_is_frozen(estate_a, at("2026-10-31 23:59"))
        assert not month_is_frozen(estate_a, at("2026-11-01 00:00"))
        with pytest.raises(DomainError) as err:
            pay(book[7].unit, "10", fin, received_at=at("2026-10-30 10:00"))
        assert err.value.field == "received_at" and "2026-10" in err.value.message
        pay(book[7].unit, "10", fin, received_at=at("2026-11-09 10:00"))  # November is open

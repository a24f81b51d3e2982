"""The fee rates of KPI.md on a hand-built month, and their drill-down pages."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from estate import kpi
from fees import services
from fees.metrics import compute
from tests.factories import make_unit
from tests.fees.factories import make_bill, pay
from tests.fees.invariants import assert_fee_invariants

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SH)


def _bill(estate, number, amount, due, issued):
    return make_bill(make_unit(estate, number), amount, due=due, issued_at=issued, period="2026-10")


def _pay(bill, amount, moment, by):
    with time_machine.travel(moment, tick=False):
        return pay(bill.unit, amount, by)


@pytest.fixture
def october(estate_a, finance_a):
    """One unit per bill, so each payment meets only its bill (times local, Asia/Shanghai)."""
    d = dt.date
    b1 = _bill(estate_a, "1-1-101", "100.00", d(2026, 10, 15), at(10, 1, 0, 30))
    b2 = _bill(estate_a, "1-1-102", "200.00", d(2026, 10, 15), at(10, 1))
    b3 = _bill(estate_a, "1-1-103", "300.00", d(2026, 10, 20), at(10, 1))
    b4 = _bill(estate_a, "1-1-104", "150.00", d(2026, 10, 31), at(10, 1))
    b5 = _bill(estate_a, "1-1-105", "80.00", d(2026, 10, 25), at(10, 1))
    b6 = _bill(estate_a, "1-1-106", "120.00", d(2026, 10, 20), at(10, 1))
    _bill(estate_a, "1-1-108", "90.00", d(2026, 10, 30), at(10, 1))  # not due yet
    _bill(estate_a, "1-1-109", "60.00", d(2026, 11, 15), at(10, 20))  # accuracy only
    _bill(estate_a, "1-1-110", "50.00", d(2026, 9, 25), at(9, 30, 23, 30))  # September
    _pay(b1, "100.00", at(10, 10), finance_a)  # on time
    _pay(b2, "50.00", at(10, 12), finance_a)  # partial
    _pay(b3, "300.00", at(10, 21, 0, 30), finance_a)  # late by local date (UTC says 10-20)
    _pay(b4, "150.00", at(10, 28, 23, 30), finance_a)  # on time
    _pay(b6, "200.00", at(10, 18), finance_a)  # over-payment: 80.00 stays as credit
    with time_machine.travel(at(10, 5), tick=False):
        services.bill_void(bill=b5, reason="面积错误", by=finance_a, reissue_amount="70.00")
    assert_fee_invariants()
    return kpi.Period.month(SH, "2026-10", now=at(10, 29, 12))


def test_fee_rates_of_a_hand_built_month(estate_a, october):
    rates = compute(estate=estate_a, period=october)

    collection = rates["fees.collection_rate"]
    assert (collection.numerator, collection.denominator) == (Decimal("720"), Decimal("1030"))
    assert collection.rate == Decimal("0.6990")
    timely = rates["fees.timely_rate"]  # B1, B4, B6 of B1, B3, B4, B6 (paid) + B2, B5R (past due)
    assert (timely.numerator, timely.denominator, timely.rate) == (3, 6, Decimal("0.5000"))
    accuracy = rates["fees.accuracy_rate"]  # 9 issued in October local time, 1 voided
    assert (accuracy.numerator, accuracy.denominator, accuracy.rate) == (8, 9, Decimal("0.8889"))


def test_empty_month_has_no_rates(estate_a):
    rates = compute(estate=estate_a, period=kpi.Period.month(SH, "2026-10"))
    assert all(r.rate is None for r in rates.values())


def test_rates_are_registered_and_served_by_the_kpi_api(client, estate_a, october, manager_a):
    client.force_login(manager_a)
    with time_machine.travel(at(10, 29, 12), tick=False):
        body = client.get("/api/v1/kpis", {"estate": "HY01", "period": "2026-10"}).json()
    metrics = {m["key"]: m for m in body["metrics"]}
    assert metrics["fees.collection_rate"]["numerator"] == "720.00"
    assert metrics["fees.collection_rate"]["rate"] == "0.6990"
    assert metrics["fees.timely_rate"]["rate"] == "0.5000"
    assert metrics["fees.accuracy_rate"]["label"] == "准确率"


@pytest.mark.parametrize(
    "key,part,expected",
    [
        ("fees.collection_rate", "denominator", 7),
        ("fees.timely_rate", "numerator", 3),
        ("fees.timely_rate", "denominator", 6),
        ("fees.accuracy_rate", "numerator", 8),
        ("fees.accuracy_rate", "denominator", 9),
    ],
)
def test_each_rate_links_to_the_bills_behind_it(
    client, estate_a, october, manager_a, key, part, expected
):
    from urllib.parse import parse_qs, urlsplit

    from fees.forms import BillFilterForm
    from fees.selectors import bill_list

    link = kpi.get(key).link(estate_a, october, part)
    assert link.startswith("/fees/bills/?estate=HY01")
    params = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
    form = BillFilterForm(params)
    assert form.is_valid(), form.errors
    rows = bill_list(user=manager_a, estate=estate_a, filters=form.filters(), today=october.today)
    assert rows.count() == expected
    client.force_login(manager_a)
    with time_machine.travel(at(10, 29, 12), tick=False):
        assert client.get(link).status_code == 200

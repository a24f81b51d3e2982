"""The collection overview shows the KPI registry's fee rates for the month, with links to the
bills behind them; the navigation shows each fees page to the roles that may use it."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from estate import kpi
from fees.metrics import arrears_compute, compute
from tests.factories import make_staff, make_unit
from tests.fees.factories import make_bill, pay

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 5, 9, 0, tzinfo=SH)


@pytest.fixture
def october(estate_a):
    finance = make_staff(estate_a, "finance")
    issued = dt.datetime(2026, 10, 1, 9, tzinfo=SH)
    paid = make_bill(make_unit(estate_a), "300.00", due=dt.date(2026, 10, 15), issued_at=issued)
    make_bill(make_unit(estate_a), "100.00", due=dt.date(2026, 10, 20), issued_at=issued)
    with time_machine.travel(dt.datetime(2026, 10, 10, 9, tzinfo=SH), tick=False):
        pay(paid.unit, "300.00", finance)
    return finance


def test_the_overview_shows_the_registry_rates_with_their_links(client, estate_a, october):
    client.force_login(october)
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("fees:overview"), {"period": "2026-10"})
        month = kpi.Period.month(SH, "2026-10")
        expected = {**compute(estate=estate_a, period=month)}
        expected.update(arrears_compute(estate=estate_a, period=month))

    assert response.status_code == 200
    shown = {row["metric"].key: row for row in response.context["rates"]}
    assert set(shown) == {
        "fees.collection_rate",
        "fees.arrears_recovery_rate",
        "fees.timely_rate",
        "fees.accuracy_rate",
    }
    for key, row in shown.items():
        assert row["ratio"] == expected[key]
        assert row["den_link"] == kpi.get(key).link(
            estate_a, response.context["period"], "denominator"
        )
    assert shown["fees.collection_rate"]["ratio"].rate == Decimal("0.7500")
    html = response.content.decode()
    assert "75.00%" in html and "50.00%" in html  # collection 300/400, timely 1/2
    assert response.context["statement"]["totals"]["billed"] == Decimal("400.00")
    assert len(response.context["trend"]) == 12


def test_a_bad_month_shows_an_error_not_a_500(client, estate_a, october):
    client.force_login(october)

    response = client.get(reverse("fees:overview"), {"period": "2026-13"})

    assert response.status_code == 200 and response.context["error"]


def test_the_statement_pdf(client, estate_a, october):
    client.force_login(october)

    response = client.get(reverse("fees:statement_pdf"), {"period": "2026-10"})
    bad = client.get(reverse("fees:statement_pdf"), {"period": "10/2026"})

    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert bad.status_code == 422


def test_a_technician_may_not_see_the_collection(client, estate_a):
    client.force_login(make_staff(estate_a, "technician"))

    assert client.get(reverse("fees:overview")).status_code == 403


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        ("finance", ["cashier", "bills", "arrears", "overview", "meters"], []),
        ("admin", ["cashier", "bills", "arrears", "overview", "meters"], []),
        ("manager", ["bills", "arrears", "overview"], ["cashier", "meters"]),
        ("front_desk", ["cashier", "bills", "arrears", "meters"], []),
        ("technician", ["meters"], ["cashier", "bills", "arrears", "overview"]),
    ],
)
def test_the_navigation_shows_fees_pages_by_role(client, estate_a, role, shown, hidden):
    client.force_login(make_staff(estate_a, role))

    links = {item["url"] for item in client.get(reverse("notifications")).context["nav_items"]}

    for name in shown:
        assert reverse(f"fees:{name}") in links, name
    for name in hidden:
        assert reverse(f"fees:{name}") not in links, name


@pytest.mark.parametrize(
    "name",
    [
        "bills",
        "bills_csv",
        "bills_xlsx",
        "overview",
        "statement_pdf",
        "cashier",
        "arrears",
        "arrears_csv",
        "arrears_xlsx",
        "notices_pdf",
        "meters",
        "meter_import",
        "meter_template",
    ],
)
def test_every_fees_page_needs_a_login(client, estate_a, name):
    response = client.get(reverse(f"fees:{name}"))

    assert response.status_code == 302 and response["Location"].startswith("/login/")

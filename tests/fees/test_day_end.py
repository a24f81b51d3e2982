"""Day-end (日结): the day's payments by method, per cashier or for the estate, reversals
apart, on the estate's local day; the page, the PDF and the exports show the same figures."""

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from estate import localtime
from fees import selectors, services
from fees.models import Payment, Reversal
from tests.factories import make_staff, make_unit
from tests.fees.factories import make_bill, pay
from tests.pdfs import fonts as pdf_fonts

pytestmark = pytest.mark.django_db
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

DAY = dt.date(2026, 11, 20)  # Asia/Shanghai: 2026-11-19 16:00 UTC to 2026-11-20 16:00 UTC


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


@pytest.fixture
def day(estate_a, finance_a):
    alice = make_staff(estate_a, "front_desk", "alice")
    bob = make_staff(estate_a, "front_desk", "bob")
    units = [make_unit(estate_a, f"1-1-10{i}") for i in range(1, 6)]
    for unit in units:
        make_bill(unit, "5000.00")
    p1 = pay(units[0], "100.00", alice, received_at=utc(2026, 11, 19, 16, 30))  # 00:30 local
    p2 = pay(
        units[1], "250.50", alice, method="wechat", received_at=utc(2026, 11, 20, 15, 30)
    )  # 23:30 local
    p3 = pay(units[2], "80.00", bob, received_at=utc(2026, 11, 20, 3, 0))
    before = pay(units[3], "999.00", alice, received_at=utc(2026, 11, 19, 15, 59))  # 23:59 the 19th
    after = pay(
        units[4], "77.00", bob, method="alipay", received_at=utc(2026, 11, 20, 16, 0)
    )  # 00:00 the 21st
    # p3 reversed on the day itself; the day before's payment reversed on the day; the day
    # after's payment reversed the day after.
    for payment, at in (
        (p3, utc(2026, 11, 20, 5)),
        (before, utc(2026, 11, 20, 2)),
        (after, utc(2026, 11, 21, 1)),
    ):
        reversal = services.payment_reverse(payment=payment, reason="录错", by=finance_a)
        Reversal.objects.filter(pk=reversal.pk).update(created_at=at)
    return {"alice": alice, "bob": bob, "p1": p1, "p2": p2, "p3": p3}


def _by_method(summary) -> dict:
    return {
        line.method: (line.count, line.amount, line.reversed_count, line.reversed_amount)
        for line in summary.lines
        if line.count or line.reversed_count
    }


def test_the_estates_day_adds_up_to_the_payments_of_its_local_day(estate_a, day):
    summary = selectors.day_end(estate=estate_a, day=DAY)

    assert _by_method(summary) == {
        "cash": (2, Decimal("180.00"), 2, Decimal("1079.00")),
        "wechat": (1, Decimal("250.50"), 0, Decimal("0.00")),
    }
    total = summary.total
    assert (total.count, total.amount, total.reversed_amount) == (
        3,
        Decimal("430.50"),
        Decimal("1079.00"),
    )
    assert total.net == Decimal("-648.50")
    # The same as adding up, by hand, every payment received on the estate's local day.
    by_hand: dict[str, Decimal] = {}
    for payment in Payment.objects.all():
        if localtime.local_date(payment.received_at, estate_a) == DAY:
            by_hand[payment.method] = by_hand.get(payment.method, Decimal("0")) + payment.amount
    assert {line.method: line.amount for line in summary.lines if line.count} == by_hand
    assert [p.number for p in summary.payments] == [
        day["p1"].number,
        day["p3"].number,
        day["p2"].number,
    ]
    assert len(summary.reversals) == 2


def test_a_cashiers_day_counts_the_payments_they_took(estate_a, day):
    alice = selectors.day_end(estate=estate_a, day=DAY, cashier=day["alice"])
    bob = selectors.day_end(estate=estate_a, day=DAY, cashier=day["bob"])

    assert _by_method(alice) == {
        "cash": (1, Decimal("100.00"), 1, Decimal("999.00")),  # yesterday's, reversed today
        "wechat": (1, Decimal("250.50"), 0, Decimal("0.00")),
    }
    assert _by_method(bob) == {"cash": (1, Decimal("80.00"), 1, Decimal("80.00"))}
    assert bob.total.net == Decimal("0.00")
    assert alice.total.amount + bob.total.amount == Decimal("430.50")


def test_the_page_pdf_and_exports_show_the_same_figures(client, estate_a, day, finance_a):
    client.force_login(finance_a)
    query = {"estate": "HY01", "day": "2026-11-20"}
    html = client.get(reverse("fees:day_end"), query).content.decode()
    assert "430.50" in html and "1079.00" in html and "-648.50" in html, html[
        html.find("day-end") :
    ][:3000]
    assert day["p1"].number in html and "alice" in html and "bob" in html

    pdf = client.get(reverse("fees:day_end_pdf"), query).content
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "day-end.pdf").write_bytes(pdf)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "日结单" in text and "430.50" in text and "-648.50" in text and day["p2"].number in text
    assert all(embedded for _name, embedded in pdf_fonts(pdf))

    response = client.get(reverse("fees:day_end_csv"), query)
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[-1] == ["合计", "3", "430.50", "2", "1079.00", "-648.50"]

    response = client.get(reverse("fees:day_end_xlsx"), {**query, "cashier": day["bob"].pk})
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    summary, payments, reversals = book.worksheets
    assert summary.freeze_panes == "A2"
    cash = next(row for row in summary.iter_rows(values_only=True) if row[0] == "现金")
    assert cash == ("现金", 1, 80, 1, 80, 0)
    assert summary["C2"].number_format == "#,##0.00"
    assert payments["B2"].number_format == "yyyy-mm-dd hh:mm"
    assert payments["B2"].value == dt.datetime(2026, 11, 20, 11, 0)  # local time
    assert payments.max_row == 2 and reversals.max_row == 2


def test_a_bad_day_or_cashier_is_a_field_error(client, estate_a, day, finance_a):
    client.force_login(finance_a)
    tomorrow = localtime.today(estate_a) + dt.timedelta(days=1)
    html = client.get(
        reverse("fees:day_end"), {"estate": "HY01", "day": tomorrow.isoformat()}
    ).content.decode()
    assert "请选择 2000 年至今天之间的日期" in html
    response = client.get(
        reverse("fees:day_end"), {"estate": "HY01", "day": "2026-11-20", "cashier": "999999"}
    )
    assert response.status_code == 200 and "errorlist" in response.content.decode()


def test_the_page_takes_a_fixed_number_of_queries(
    client, estate_a, day, finance_a, django_assert_num_queries
):
    client.force_login(finance_a)
    more = make_unit(estate_a, "1-1-109")
    make_bill(more, "100.00")
    for _ in range(3):
        pay(more, "1.00", day["alice"], received_at=utc(2026, 11, 20, 6))
    # session, user, permissions (2), memberships, the estate (6); the cashiers of the day,
    # the two aggregates, the payments and the reversals (5); the base template's estate
    # switcher, unread notifications and estate menu (3).
    with django_assert_num_queries(14):
        response = client.get(reverse("fees:day_end"), {"estate": "HY01", "day": "2026-11-20"})
    assert response.content.decode().count("HY01-SJ2026-") >= 6


def test_the_api_gives_the_same_figures(client, estate_a, day, finance_a):
    client.force_login(finance_a)
    data = client.get("/api/v1/day-end", {"estate": "HY01", "day": "2026-11-20"}).json()
    lines = {line["method"]: line for line in data["lines"]}
    assert lines["cash"] == {
        "method": "cash",
        "count": 2,
        "amount": "180.00",
        "reversed_count": 2,
        "reversed_amount": "1079.00",
        "net": "-899.00",
    }
    assert data["total"]["amount"] == "430.50" and data["total"]["net"] == "-648.50"
    bob = client.get(
        "/api/v1/day-end", {"estate": "HY01", "day": "2026-11-20", "cashier": day["bob"].pk}
    ).json()
    assert bob["total"]["amount"] == "80.00"
    bad = client.get("/api/v1/day-end", {"estate": "HY01", "day": "2999-01-01"})
    assert (bad.status_code, bad.json()["field"]) == (422, "day")
    bad = client.get("/api/v1/day-end", {"estate": "HY01", "cashier": 999999})
    assert (bad.status_code, bad.json()["field"]) == (422, "cashier")


def test_the_cashier_desk_links_to_the_cashiers_own_day_end(client, estate_a, day):
    client.force_login(day["alice"])
    html = client.get(reverse("fees:cashier"), {"estate": "HY01"}).content.decode()
    link = f"{reverse('fees:day_end')}?estate=HY01&amp;cashier={day['alice'].pk}"
    assert link in html
    page = client.get(reverse("fees:day_end"), {"estate": "HY01", "cashier": day["alice"].pk})
    assert page.status_code == 200 and "收款人 alice" in page.content.decode()

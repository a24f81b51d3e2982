"""The bills list: filters, pages, a fixed number of queries, the KPI table's drill-down links
landing on exactly the bills a rate counts, and the exports of the filtered rows."""

import csv
import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from estate.models import AccessLog
from fees import services
from fees.metrics import compute
from residents import services as resident_services
from tests.factories import make_staff, make_unit
from tests.fees.factories import make_bill, pay

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 10, 29, 12, 0, tzinfo=SH)


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=SH)


def _bill(estate, number, amount, due, issued=None):
    unit = make_unit(estate, number)
    return make_bill(unit, amount, due=due, issued_at=issued or at(10, 1), period="2026-10")


def _pay(bill, amount, moment, by):
    with time_machine.travel(moment, tick=False):
        return pay(bill.unit, amount, by)


@pytest.fixture
def october(estate_a):
    """A month built by hand (one unit per bill; times local):

    A 100 due 10-15 paid 10-10 (on time) · B 200 due 10-15, 50 paid (partial, past due) ·
    C 300 due 10-20 paid 10-21 (late) · D 80 due 10-31 (not yet judged) · E 120 voided and
    reissued as 110 (due 10-25, unpaid, past due) · F 60 due 11-15 issued 10-20 (accuracy only) ·
    G 50 due 9-25 issued 9-30 (another month) · H 90 due 10-18 paid 150 on 10-16 (60 credit)."""
    finance = make_staff(estate_a, "finance")
    d = dt.date
    a = _bill(estate_a, "1-1-101", "100.00", d(2026, 10, 15))
    b = _bill(estate_a, "1-1-102", "200.00", d(2026, 10, 15))
    c = _bill(estate_a, "1-1-103", "300.00", d(2026, 10, 20))
    _bill(estate_a, "1-1-104", "80.00", d(2026, 10, 31))
    e = _bill(estate_a, "1-1-105", "120.00", d(2026, 10, 25))
    _bill(estate_a, "1-1-106", "60.00", d(2026, 11, 15), issued=at(10, 20))
    _bill(estate_a, "1-1-107", "50.00", d(2026, 9, 25), issued=at(9, 30))
    h = _bill(estate_a, "1-1-108", "90.00", d(2026, 10, 18))
    _pay(a, "100.00", at(10, 10), finance)
    _pay(b, "50.00", at(10, 12), finance)
    _pay(c, "300.00", at(10, 21), finance)
    _pay(h, "150.00", at(10, 16), finance)
    with time_machine.travel(at(10, 5), tick=False):
        services.bill_void(bill=e, reason="面积错误", by=finance, reissue_amount="110.00")
    return finance


def test_the_hand_built_month_has_the_expected_rates(estate_a, october):
    from estate.kpi import Period

    rates = compute(estate=estate_a, period=Period.month(SH, "2026-10", now=NOW))

    assert rates["fees.collection_rate"].numerator == Decimal("540.00")
    assert rates["fees.collection_rate"].denominator == Decimal("880.00")
    assert (rates["fees.timely_rate"].numerator, rates["fees.timely_rate"].denominator) == (2, 5)
    assert (rates["fees.accuracy_rate"].numerator, rates["fees.accuracy_rate"].denominator) == (
        7,
        8,
    )


def test_every_fee_rate_of_the_kpi_table_links_to_exactly_its_bills(
    client, estate_a, october, manager_a
):
    client.force_login(manager_a)
    with time_machine.travel(NOW, tick=False):
        table = client.get(reverse("kpi_table"), {"estate": "HY01", "period": "2026-10"})
        rows = [r for r in table.context["rows"] if r["metric"].key.startswith("fees.")]
        assert len(rows) == 4  # 收缴率, 清欠率, 及时率, 准确率
        for row in rows:
            ratio = row["ratio"]
            for part, link, expected in (
                ("numerator", row["num_link"], ratio.numerator),
                ("denominator", row["den_link"], ratio.denominator),
            ):
                page = client.get(link)
                assert page.status_code == 200, link
                totals = page.context["totals"]
                if row["metric"].key == "fees.arrears_recovery_rate":
                    # money over older bills: the page says the yuan the rate counted
                    assert page.context["counted"] == expected, (part, expected)
                elif row["metric"].key == "fees.collection_rate":
                    # money: the linked bills' paid and due sums are the rate's parts
                    got = totals["paid"] if part == "numerator" else totals["due"]
                    assert got == expected, (row["metric"].key, part, got, expected)
                    assert totals["count"] == 6
                else:
                    assert totals["count"] == expected, (row["metric"].key, part)
                    assert f'data-testid="bill-count">{int(expected)}<' in page.content.decode()


def _numbers(response) -> list[str]:
    return [b.number.split("-1-1-")[1][:3] for b in response.context["page"].rows]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "paid"}, ["101", "103", "108"]),
        ({"status": "partial"}, ["102"]),
        ({"status": "unpaid"}, ["105", "104", "106", "107"]),  # the reissue of 105, by due date
        ({"status": "voided"}, ["105"]),
        ({"unit": "1-1-102"}, ["102"]),
        ({"due_from": "2026-10-16", "due_to": "2026-10-31"}, ["108", "103", "105", "105"]),
        ({"issued_from": "2026-10-02", "status": "unpaid"}, ["105", "106"]),
    ],
)
def test_filters(client, estate_a, october, params, expected):
    client.force_login(october)

    response = client.get(reverse("fees:bills"), params)

    assert response.status_code == 200
    assert sorted(_numbers(response)) == sorted(expected)


def test_a_unit_filter_finds_a_building_or_entrance_but_not_a_longer_number(
    client, estate_a, october
):
    make_bill(make_unit(estate_a, "1-10-101"), "10.00")
    client.force_login(october)

    entrance = client.get(reverse("fees:bills"), {"unit": "1-1"})
    building = client.get(reverse("fees:bills"), {"unit": "1"})

    assert entrance.context["totals"]["count"] == 9
    assert building.context["totals"]["count"] == 10


def test_a_date_range_that_ends_before_it_starts_shows_the_error_and_no_rows(
    client, estate_a, october
):
    client.force_login(october)

    response = client.get(reverse("fees:bills"), {"due_from": "2026-10-20", "due_to": "2026-10-01"})

    assert response.status_code == 200
    assert response.context["totals"]["count"] == 0
    assert 'class="errorlist' in response.content.decode()


def test_pages_of_fifty(client, estate_a):
    unit = make_unit(estate_a, "3-2-1501")
    for i in range(60):
        make_bill(unit, "10.00", due=dt.date(2020, 1, 15) + dt.timedelta(days=31 * i))
    client.force_login(make_staff(estate_a, "finance"))

    first = client.get(reverse("fees:bills"))
    second = client.get(reverse("fees:bills"), {"page": 2})

    assert len(first.context["page"].rows) == 50 and len(second.context["page"].rows) == 10
    assert first.context["page"].rows[0].due_date == dt.date(2020, 1, 15)
    assert "page=2" in first.content.decode()


@pytest.mark.parametrize("rows", [1, 30])
def test_the_bills_page_runs_a_fixed_number_of_queries(
    client, estate_a, django_assert_num_queries, rows
):
    for _i in range(rows):
        make_bill(make_unit(estate_a), "10.00")
    client.force_login(make_staff(estate_a, "finance"))
    url = reverse("fees:bills")
    client.get(url)

    # 10: session, user, user and group permissions (2), memberships (roles), the estate;
    # the totals (count, due, paid in one aggregate), the page of bills with unit and fee item;
    # the base template's unread notifications and the switcher's estates.
    with django_assert_num_queries(10):
        response = client.get(url, {"status": "unpaid", "due_from": "2026-01-01"})

    assert len(response.context["page"].rows) == rows


@pytest.mark.parametrize("role", ["technician"])
def test_roles_without_fees_view_are_refused(client, estate_a, role):
    client.force_login(make_staff(estate_a, role))

    assert client.get(reverse("fees:bills")).status_code == 403


def test_another_estates_code_is_404(client, estate_a, estate_b):
    client.force_login(make_staff(estate_a, "finance"))

    assert client.get(reverse("fees:bills"), {"estate": "HY02"}).status_code == 404


# Exports --------------------------------------------------------------------------------------


def _csv(response) -> list[list[str]]:
    assert response.streaming  # rows are sent as they are read, never built in memory
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def _with_contact(estate_a):
    unit = make_unit(estate_a, "3-2-1501")
    resident_services.resident_create(
        estate=estate_a, name="王芳", phone="13812345678", units=[unit], primary=True
    )
    make_bill(unit, "100.00", due=dt.date(2026, 9, 15))
    paid = make_bill(unit, "80.00", due=dt.date(2026, 10, 15))
    return unit, paid


def test_the_csv_export_has_the_filtered_rows_and_no_phones_for_finance(client, estate_a):
    finance = make_staff(estate_a, "finance")
    unit, paid = _with_contact(estate_a)
    pay(unit, "180.00", finance)
    make_bill(unit, "5.00", due=dt.date(2026, 11, 15))
    client.force_login(finance)

    rows = _csv(client.get(reverse("fees:bills_csv"), {"status": "paid"}))

    header, body = rows[0], rows[1:]
    assert len(body) == 2 and {r[0] for r in body} == {paid.number, body[0][0]}
    assert "13812345678" not in str(rows) and len(header) == len(body[0])
    assert body[0][2] == "王芳"
    assert not AccessLog.objects.exists()


def test_a_role_that_may_export_personal_data_gets_phones_and_is_logged(
    client, estate_a, manager_a
):
    _with_contact(estate_a)
    client.force_login(manager_a)

    rows = _csv(client.get(reverse("fees:bills_csv")))

    assert rows[1][3] == "13812345678"
    log = AccessLog.objects.get()
    assert log.user == manager_a and log.field == "phone:bills"


def test_the_xlsx_export_has_the_filtered_rows(client, estate_a, october):
    client.force_login(october)

    response = client.get(reverse("fees:bills_xlsx"), {"status": "unpaid", "unit": "1-1-104"})

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 2
    assert rows[1][1] == "1-1-104" and Decimal(str(rows[1][5])) == Decimal("80")
    assert rows[1][8] == dt.datetime(2026, 10, 31)


def test_the_front_desk_may_not_export(client, estate_a):
    client.force_login(make_staff(estate_a, "front_desk"))

    assert client.get(reverse("fees:bills_csv")).status_code == 403
    assert client.get(reverse("fees:bills_xlsx")).status_code == 403
    assert "bills.csv" not in client.get(reverse("fees:bills")).content.decode()

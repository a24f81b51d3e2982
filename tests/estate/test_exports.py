"""Exports: the KPI table (one estate or all of the user's, a range of months) and the
drill-down lists (the ticket queue, the bills) to CSV and XLSX, streamed; a cell that looks
like a formula opens as text; money and dates carry number formats; the header is frozen."""

import csv
import datetime as dt
import io
from decimal import Decimal

from django.http import StreamingHttpResponse
from django.urls import reverse
from openpyxl import load_workbook

from estate import exports, kpi
from tests.estate.test_dashboard import NOW, snap
from tests.factories import make_company_admin, make_estate, make_staff, make_unit


def _csv(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def _xlsx(response):
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return book.worksheets[0]


def test_formula_looking_text_is_escaped_in_csv_and_text_in_xlsx():
    rows = [['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "plain", -3, Decimal("1.50")]]
    text = "".join(exports.csv_lines(["a"] * 7, rows))
    line = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[1]
    assert line[:5] == ['\'=HYPERLINK("http://x")', "'+1", "'-2", "'@SUM(A1)", "plain"]
    assert line[5:] == ["-3", "1.50"]  # numbers stay numbers
    out = io.BytesIO()
    exports.write_xlsx(out, ["a"] * 7, rows, "t")
    sheet = load_workbook(io.BytesIO(out.getvalue())).worksheets[0]
    cells = list(sheet.iter_rows(min_row=2))[0]
    assert cells[0].value == '=HYPERLINK("http://x")' and cells[0].data_type == "s"
    assert cells[3].data_type == "s"
    assert cells[6].number_format == exports.MONEY_FORMAT
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.b


def test_kpi_export_of_one_estate_for_a_range_of_months(client, estate_a, estate_b):
    snap(estate_a, "2026-10", "repairs.timely_rate", 30, 40)
    snap(estate_a, "2026-11", "repairs.timely_rate", 37, 40)
    snap(estate_b, "2026-11", "repairs.timely_rate", 1, 1)
    client.force_login(make_staff(estate_a, "manager"))
    rows = _csv(
        client.get(
            reverse("dashboard:kpi_csv"), {"estate": "HY01", "from": "2026-10", "to": "2026-11"}
        )
    )
    body = rows[1:]
    assert len(body) == 2 * len(kpi.metrics())
    timely = [r for r in body if r[4] == "repairs.timely_rate"]
    assert [(r[0], r[1], r[5], r[6], r[7]) for r in timely] == [
        ("HY01", "2026-10", "30.00", "40.00", "0.7500"),
        ("HY01", "2026-11", "37.00", "40.00", "0.9250"),
    ]
    assert timely[0][3] == "处理及时率"
    assert not any(r[0] == "HY02" for r in body)
    sheet = _xlsx(client.get(reverse("dashboard:kpi_xlsx"), {"estate": "HY01", "from": "2026-11"}))
    assert sheet.freeze_panes == "A2"
    row = next(r for r in sheet.iter_rows(min_row=2) if r[4].value == "repairs.timely_rate")
    assert row[7].number_format == "0.00%" and Decimal(str(row[7].value)) == Decimal("0.925")


def test_kpi_export_of_all_estates_has_only_the_users(client, estate_a, estate_b):
    make_estate(code="HY03")
    other = make_staff(estate_a, "manager")
    from estate.models import Membership

    Membership.objects.create(user=other, estate=estate_b, role="front_desk")
    client.force_login(other)
    rows = _csv(client.get(reverse("dashboard:kpi_csv"), {"scope": "all", "from": "2026-11"}))
    assert {r[0] for r in rows[1:]} == {"HY01", "HY02"}
    client.force_login(make_company_admin())
    rows = _csv(client.get(reverse("dashboard:kpi_csv"), {"scope": "all", "from": "2026-11"}))
    assert {r[0] for r in rows[1:]} == {"HY01", "HY02", "HY03"}


def test_kpi_export_bad_range_is_400_naming_the_field(client, estate_a):
    client.force_login(make_staff(estate_a, "manager"))
    response = client.get(
        reverse("dashboard:kpi_csv"), {"estate": "HY01", "from": "2026-11", "to": "2026-01"}
    )
    assert response.status_code == 400 and b"to:" in response.content
    response = client.get(
        reverse("dashboard:kpi_csv"), {"estate": "HY01", "from": "2020-01", "to": "2026-01"}
    )
    assert response.status_code == 400
    response = client.get(reverse("dashboard:kpi_csv"), {"estate": "HY01", "from": "nope"})
    assert response.status_code == 400 and b"period" in response.content


def test_kpi_export_other_estate_is_404(client, estate_a, estate_b):
    client.force_login(make_staff(estate_a, "manager"))
    assert client.get(reverse("dashboard:kpi_csv"), {"estate": "HY02"}).status_code == 404


def test_ticket_queue_export_lists_exactly_the_drill_down(client, estate_a, time_machine):
    """The tickets behind a rate's numerator, as the queue lists them, to CSV and XLSX; a
    category named like a formula is text."""
    from repairs.models import Ticket
    from tests.repairs.factories import make_category, make_ticket

    time_machine.move_to(NOW)
    category = make_category(estate_a, "repair", name="=1+2")
    tickets = [
        make_ticket(estate_a, category=category, now=NOW - dt.timedelta(days=2)) for _ in range(3)
    ]
    Ticket.objects.filter(pk=tickets[0].pk).update(first_response_at=NOW - dt.timedelta(days=2))
    make_ticket(make_estate(code="HY09"), now=NOW - dt.timedelta(days=2))
    client.force_login(make_staff(estate_a, "manager"))
    query = {
        "estate": "HY01",
        "period": "2026-11",
        "metric": "repairs.response_timely_rate",
        "part": "denominator",
    }
    listing = client.get(reverse("repairs:queue"), query).content.decode()
    rows = _csv(client.get(reverse("repairs:queue_csv"), query))
    numbers = sorted(r[0] for r in rows[1:])
    assert numbers == sorted(t.number for t in tickets if t.number in listing)
    assert all(r[4] == "'=1+2" for r in rows[1:])
    assert "王伟" not in str(rows) and "13812345678" not in str(rows)  # no personal data
    sheet = _xlsx(client.get(reverse("repairs:queue_xlsx"), query))
    body = list(sheet.iter_rows(min_row=2))
    assert sorted(r[0].value for r in body) == numbers
    assert body[0][4].value == "=1+2" and body[0][4].data_type == "s"
    assert body[0][6].number_format == exports.DATETIME_FORMAT
    assert sheet.freeze_panes == "A2"


def test_ticket_export_refuses_finance_and_other_estates(client, estate_a, estate_b):
    client.force_login(make_staff(estate_a, "finance"))
    assert client.get(reverse("repairs:queue_csv"), {"estate": "HY01"}).status_code == 403
    client.force_login(make_staff(estate_a, "manager"))
    assert client.get(reverse("repairs:queue_csv"), {"estate": "HY02"}).status_code == 404


def test_bills_export_escapes_formulas_and_formats_money(client, estate_a):
    from tests.fees.factories import make_bill, make_fee_item

    item = make_fee_item(estate_a, code="PM", name="@物业费")
    make_bill(make_unit(estate_a, "1-1-101"), "1234.50", fee_item=item)
    client.force_login(make_staff(estate_a, "finance"))
    rows = _csv(client.get(reverse("fees:bills_csv")))
    assert rows[1][3] == "'@物业费"
    sheet = _xlsx(client.get(reverse("fees:bills_xlsx")))
    row = list(sheet.iter_rows(min_row=2))[0]
    assert row[3].value == "@物业费" and row[3].data_type == "s"
    assert row[5].number_format == exports.MONEY_FORMAT and Decimal(str(row[5].value)) == Decimal(
        "1234.5"
    )
    assert row[8].number_format == exports.DATE_FORMAT
    assert sheet.freeze_panes == "A2"

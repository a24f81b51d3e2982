"""Every fees export opens well in a spreadsheet: a frozen header row, column widths, money
and dates formatted, and a text that a spreadsheet would run as a formula kept as text."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from fees import services
from tests.factories import make_unit
from tests.fees.factories import make_bill

pytestmark = pytest.mark.django_db

INJECTIONS = ['=HYPERLINK("http://evil.example","x")', "+1+2", "-3+4", "@SUM(A1)"]


@pytest.fixture
def voided(estate_a, finance_a):
    unit = make_unit(estate_a, "1-1-101")
    bills = [make_bill(unit, "100.00", due=dt.date(2026, 7 + i, 15)) for i in range(4)]
    for bill, reason in zip(bills, INJECTIONS, strict=True):
        services.bill_void(bill=bill, reason=reason, by=finance_a)
    return bills


def _book(response):
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_a_cell_that_began_with_a_formula_sign_opens_as_text_in_xlsx(client, finance_a, voided):
    client.force_login(finance_a)
    sheet = _book(client.get(reverse("fees:bills_xlsx"), {"estate": "HY01"})).worksheets[0]
    header = [c.value for c in sheet[1]]
    reason = header.index("作废原因") + 1
    cells = [sheet.cell(row=r, column=reason) for r in range(2, sheet.max_row + 1)]
    assert sorted(c.value for c in cells) == sorted(INJECTIONS)
    # Stored as strings, not formulas: the spreadsheet shows the text and runs nothing.
    assert {c.data_type for c in cells} == {"s"}
    # A frozen header, widths, and formats for money and dates.
    assert sheet.freeze_panes == "A2"
    assert all(sheet.column_dimensions[letter].width >= 12 for letter in "ABCDEFGHIJ")
    due = header.index("应缴金额") + 1
    due_date = header.index("缴费截止日期") + 1
    assert sheet.cell(row=2, column=due).number_format == "#,##0.00"
    assert sheet.cell(row=2, column=due_date).number_format == "yyyy-mm-dd"
    assert sheet.cell(row=2, column=due).value == 100


def test_a_cell_that_began_with_a_formula_sign_opens_as_text_in_csv(client, finance_a, voided):
    client.force_login(finance_a)
    response = client.get(reverse("fees:bills_csv"), {"estate": "HY01"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    reasons = sorted(row[-1] for row in rows[1:])
    assert reasons == sorted("'" + value for value in INJECTIONS)
    # Amounts are left as they are.
    due = rows[0].index("应缴金额")
    assert all(row[due] == "100.00" for row in rows[1:])

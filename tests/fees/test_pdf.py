"""Fee documents: capital numerals, receipts, notices, statements."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from estate import kpi
from fees import pdf, services
from tests.factories import make_unit
from tests.fees.factories import make_bill, make_fee_item, pay
from tests.pdfs import fonts as pdf_fonts


@pytest.mark.parametrize(
    "amount,words",
    [
        ("1234.56", "壹仟贰佰叁拾肆元伍角陆分"),
        ("0", "零元整"),
        ("0.05", "伍分"),
        ("0.50", "伍角整"),
        ("1.5", "壹元伍角整"),
        ("10", "壹拾元整"),
        ("10.05", "壹拾元零伍分"),
        ("100", "壹佰元整"),
        ("1005", "壹仟零伍元整"),
        ("10010", "壹万零壹拾元整"),
        ("100100", "壹拾万零壹佰元整"),
        ("100000", "壹拾万元整"),
        ("1000001", "壹佰万零壹元整"),
        ("12345678.9", "壹仟贰佰叁拾肆万伍仟陆佰柒拾捌元玖角整"),
        ("100000000", "壹亿元整"),
        ("100010000", "壹亿零壹万元整"),
        ("-3.2", "负叁元贰角整"),
    ],
)
def test_amount_in_words(amount, words):
    assert pdf.amount_in_words(Decimal(amount)) == words


def _text(content: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(content))
    return len(reader.pages), "".join(p.extract_text() for p in reader.pages)


@pytest.mark.django_db
def test_a_reversed_payment_receipt_says_so(unit_a, finance_a):
    make_bill(unit_a, "100.00")
    payment = pay(unit_a, "100.00", finance_a, reference="WX123")
    reversal = services.payment_reverse(payment=payment, reason="重复收款", by=finance_a)
    payment.refresh_from_db()
    _pages, text = _text(pdf.receipt_pdf(payment))
    assert "已冲正" in text and reversal.number in text and "重复收款" in text
    assert "WX123" in text and "壹佰元整" in text
    # Every font is embedded, so viewers without Adobe's Asian fonts print the text too.
    fonts = pdf_fonts(pdf.receipt_pdf(payment))
    assert fonts and all(embedded for _name, embedded in fonts), fonts


@pytest.mark.django_db
def test_batch_notices_have_a_page_per_unit_with_late_fees(estate_a, unit_a):
    item = make_fee_item(
        estate_a,
        "PM",
        late_fee_daily_rate=Decimal("0.0005"),
        late_fee_cap_rate=Decimal("0.0100"),
    )
    today = dt.date(2026, 11, 20)
    make_bill(unit_a, "1000.00", due=dt.date(2026, 11, 10), fee_item=item)  # 10 days: 5.00
    make_bill(unit_a, "1000.00", due=dt.date(2026, 6, 15), fee_item=item)  # capped at 10.00
    make_bill(make_unit(estate_a, "1-1-101"), "50.00", due=dt.date(2026, 11, 1), fee_item=item)
    make_bill(make_unit(estate_a, "1-1-102"), "50.00", due=dt.date(2026, 12, 1), fee_item=item)

    pages, text = _text(pdf.arrears_notices_pdf(estate=estate_a, today=today))

    assert pages == 2
    assert text.count("催缴通知单") == 2
    assert "3-2-1501" in text and "1-1-101" in text and "1-1-102" not in text
    assert "贰仟元整" in text  # 3-2-1501 owes 2,000.00
    assert "15.00" in text  # late fees 5.00 + 10.00


@pytest.mark.django_db
def test_period_statement(estate_a, unit_a, finance_a):
    make_bill(unit_a, "300.00", due=dt.date(2026, 10, 15))
    pay(unit_a, "100.00", finance_a)
    period = kpi.Period.month(estate_a.tz, "2026-10")
    _pages, text = _text(pdf.period_statement_pdf(estate=estate_a, period=period))
    assert "2026-10 费用报表" in text
    assert "300.00" in text and "200.00" in text
    assert "收缴率" in text and "0.3333" in text

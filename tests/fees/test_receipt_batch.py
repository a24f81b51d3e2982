"""A printing run of receipts (pdf.receipt_pdfs): every receipt is the same document as the
single download's (same text, same embedded fonts), read in a fixed number of queries."""

import datetime as dt
import shutil
import subprocess

import pytest

from fees import pdf, services
from fees.models import FinanceSettings, Payment
from tests.factories import make_unit
from tests.fees.factories import make_bill, make_fee_item, make_finance, pay
from tests.pdfs import fonts as pdf_fonts

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils missing")


def _text(content: bytes, tmp_path) -> str:
    source = tmp_path / "r.pdf"
    source.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(source), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def payments(estate_a, estate_b, finance_a):
    """Payments as a printing run meets them: with and without the estate's finance
    settings, a reversed one, one over more bills than a receipt lists, one prepaying."""
    FinanceSettings.objects.create(
        estate=estate_a,
        company_name="华苑物业服务有限公司",
        books_open_on=dt.date(2020, 1, 1),
        receipt_copies="存根,交款人,财务,备查",
    )
    estate_a.service_phone = "0571-88886666"
    estate_a.save()
    park = make_fee_item(estate_a, "PARK", basis="per_space", price="300", name="车位管理费")
    make_fee_item(estate_a, "PM", name="物业服务费")
    made = []
    for i in range(3):
        unit = make_unit(estate_a, f"3-2-{1501 + i}")
        make_bill(unit, "250.00", due=dt.date(2026, 10, 15))
        make_bill(unit, "300.00", due=dt.date(2026, 11, 15), fee_item=park)
        made.append(pay(unit, f"{550 + 100 * i}.00", finance_a, payer="张三丰", reference="WX1"))
    services.payment_reverse(payment=made[1], reason="重复收款", by=finance_a)
    many = make_unit(estate_a, "5-1-101")
    for month in range(1, 11):
        make_bill(many, "88.50", due=dt.date(2026, month, 15))
    made.append(pay(many, "885.00", finance_a))
    other = make_unit(estate_b, "1-1-101")  # an estate without finance settings
    make_bill(other, "120.00")
    made.append(pay(other, "120.00", make_finance(estate_b), payer="李四"))
    return made


def _one(payment_id: int, size: str) -> bytes:
    payment = Payment.objects.select_related("estate", "unit", "created_by", "reversal").get(
        pk=payment_id
    )
    return pdf.receipt_pdf(payment, size=size)


@pytest.mark.django_db
@pytest.mark.parametrize("size", pdf.SIZES)
def test_the_printing_run_prints_what_each_download_prints(payments, size, tmp_path):
    ids = [p.pk for p in payments]
    batch = pdf.receipt_pdfs(ids, size=size)
    assert list(batch) == ids
    texts = set()
    for payment_id, content in batch.items():
        single = _one(payment_id, size)
        text = _text(content, tmp_path)
        assert text == _text(single, tmp_path)
        texts.add(text)
        fonts = pdf_fonts(content)
        assert fonts == pdf_fonts(single)
        assert fonts and all(embedded for _name, embedded in fonts), fonts
    # Each receipt is its own: the numbers, the reversal, the grouped bills, the other estate.
    assert len(texts) == len(ids)
    joined = "".join(texts)
    assert "重复收款" in joined and "翠湖" in joined
    if size == "a4":
        assert "10张账单" in joined.replace(" ", "")


@pytest.mark.django_db
def test_unknown_payments_are_left_out_and_the_order_is_the_callers(payments):
    ids = [payments[2].pk, 999_999, payments[0].pk]
    assert list(pdf.receipt_pdfs(ids)) == [payments[2].pk, payments[0].pk]
    assert pdf.receipt_pdfs([]) == {}


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 30])
def test_a_printing_run_reads_in_three_queries_whatever_its_size(
    estate_a, finance_a, count, django_assert_num_queries
):
    ids = []
    for i in range(count):
        unit = make_unit(estate_a, f"1-1-{i:03d}")
        make_bill(unit, "100.00")
        make_bill(unit, "50.00", due=dt.date(2026, 12, 15))
        ids.append(pay(unit, "200.00", finance_a).pk)
    with django_assert_num_queries(3):
        batch = pdf.receipt_pdfs(ids, size="receipt")
    assert len(batch) == count and all(content.startswith(b"%PDF") for content in batch.values())

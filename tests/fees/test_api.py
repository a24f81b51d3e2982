"""The fees API: the bill list KPI.md promises, payments with Idempotency-Key, reversal,
void, receipts and arrears."""

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.utils import timezone
from pypdf import PdfReader

from fees.models import Bill, Payment, Reversal
from tests.factories import make_estate, make_staff, make_unit
from tests.fees.factories import make_bill, pay
from tests.fees.invariants import assert_fee_invariants

pytestmark = pytest.mark.django_db

BILL_FIELDS = {
    "id",
    "number",
    "unit",
    "fee_item",
    "period",
    "amount_due",
    "amount_paid",
    "due_date",
    "issued_at",
    "voided_at",
    "fully_paid_at",
}


def _post(client, url, body, **headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def test_bill_list_has_exactly_the_kpi_fields_and_filters(client, estate_a, unit_a, finance_a):
    october = make_bill(unit_a, "250.00", due=dt.date(2026, 10, 15))
    make_bill(unit_a, "250.00", due=dt.date(2026, 11, 15))
    pay(unit_a, "100.00", finance_a)
    client.force_login(finance_a)

    response = client.get(
        "/api/v1/bills", {"estate": "HY01", "due_from": "2026-10-01", "due_to": "2026-11-01"}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert set(item) == BILL_FIELDS
    assert item["id"] == october.pk
    assert (item["unit"], item["fee_item"], item["period"]) == ("3-2-1501", "PM", "2026-09")
    assert (item["amount_due"], item["amount_paid"]) == ("250.00", "100.00")
    assert item["due_date"] == "2026-10-15"
    assert item["issued_at"].endswith("+08:00")


def test_bill_list_issued_filter_is_local_and_exclusive(client, estate_a, unit_a, finance_a):
    tz = estate_a.tz
    make_bill(unit_a, issued_at=dt.datetime(2026, 10, 31, 23, 59, tzinfo=tz), period="2026-10")
    make_bill(unit_a, issued_at=dt.datetime(2026, 11, 1, 0, 0, tzinfo=tz), period="2026-11")
    client.force_login(finance_a)
    response = client.get(
        "/api/v1/bills", {"estate": "HY01", "issued_from": "2026-10-01", "issued_to": "2026-11-01"}
    )
    assert response.json()["count"] == 1
    bad = client.get(
        "/api/v1/bills", {"estate": "HY01", "due_from": "2026-11-01", "due_to": "2026-10-01"}
    )
    assert (bad.status_code, bad.json()["field"]) == (422, "due_to")


@pytest.mark.parametrize("rows", [1, 30])
def test_bill_list_runs_a_fixed_number_of_queries(
    client, estate_a, finance_a, rows, django_assert_num_queries
):
    for i in range(rows):
        make_bill(make_unit(estate_a, f"1-1-{i + 101}"))
    client.force_login(finance_a)
    client.get("/api/v1/bills", {"estate": "HY01"})  # warm the session and role caches
    # 8: session, user, user and group permissions (2), memberships (roles), the estate;
    # the page of bills (with estate, unit and fee item) and their count.
    with django_assert_num_queries(8):
        response = client.get("/api/v1/bills", {"estate": "HY01"})
    assert response.json()["count"] == rows


@pytest.mark.parametrize("rows", [1, 30])
def test_payment_list_runs_a_fixed_number_of_queries(
    client, estate_a, finance_a, rows, django_assert_num_queries
):
    unit = make_unit(estate_a, "1-1-101")
    for _ in range(rows):
        pay(unit, "1.00", finance_a)
    client.force_login(finance_a)
    client.get("/api/v1/payments", {"estate": "HY01"})
    # 8: session, user, user and group permissions (2), memberships (roles), the estate;
    # the page of payments (with estate, unit, reversal and cashier) and their count.
    with django_assert_num_queries(8):
        response = client.get("/api/v1/payments", {"estate": "HY01"})
    assert response.json()["count"] == rows


def test_bills_of_another_estate_are_not_found(client, estate_a, estate_b, unit_a):
    bill = make_bill(unit_a)
    client.force_login(make_staff(estate_b, "finance"))
    assert client.get("/api/v1/bills", {"estate": "HY01"}).status_code == 404
    assert client.get(f"/api/v1/bills/{bill.pk}").status_code == 404


def test_technicians_may_not_read_bills(client, estate_a, unit_a):
    client.force_login(make_staff(estate_a, "technician"))
    assert client.get("/api/v1/bills", {"estate": "HY01"}).status_code == 403


def test_payment_with_an_idempotency_key_is_recorded_once(client, estate_a, unit_a, finance_a):
    bill = make_bill(unit_a, "100.00")
    client.force_login(finance_a)
    body = {"unit_id": unit_a.pk, "amount": "120.00", "method": "wechat", "payer": "张三"}

    first = _post(client, "/api/v1/payments", body, HTTP_IDEMPOTENCY_KEY="abc-1")
    again = _post(client, "/api/v1/payments", body, HTTP_IDEMPOTENCY_KEY="abc-1")

    assert first.status_code == 201, first.json()
    assert again.json()["id"] == first.json()["id"]
    data = first.json()
    assert data["amount"] == "120.00"
    assert data["allocations"] == [
        {"bill_id": bill.pk, "bill_number": bill.number, "amount": "100.00"}
    ]
    assert data["unit_credit"] == "20.00"
    assert Payment.objects.count() == 1
    assert_fee_invariants()


def test_payment_without_an_idempotency_key_is_refused(client, unit_a, finance_a):
    client.force_login(finance_a)
    body = {"unit_id": unit_a.pk, "amount": "1.00", "method": "cash"}
    response = _post(client, "/api/v1/payments", body)
    assert response.status_code == 422
    assert not Payment.objects.exists()


@pytest.mark.parametrize("amount", ["-1", "0", "0.00", "1.005", 12.345, "abc", -3])
def test_bad_payment_amounts_are_422_on_amount(client, unit_a, finance_a, amount):
    make_bill(unit_a, "100.00")
    client.force_login(finance_a)
    body = {"unit_id": unit_a.pk, "amount": amount, "method": "cash"}
    response = _post(client, "/api/v1/payments", body, HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 422
    assert response.json()["field"] == "amount"
    assert not Payment.objects.exists()
    assert_fee_invariants()


def test_payment_for_bills_of_another_unit_or_estate(client, estate_a, unit_a, finance_a):
    theirs = make_bill(make_unit(estate_a, "3-2-1502"))
    foreign = make_bill(make_unit(make_estate(code="ZZ09"), "1-1-101"))
    client.force_login(finance_a)
    for bill in (theirs, foreign):
        body = {"unit_id": unit_a.pk, "amount": "5.00", "method": "cash", "bills": [bill.pk]}
        response = _post(client, "/api/v1/payments", body, HTTP_IDEMPOTENCY_KEY=f"k{bill.pk}")
        assert (response.status_code, response.json()["field"]) == (422, "bills")
    foreign_unit = foreign.unit
    body = {"unit_id": foreign_unit.pk, "amount": "5.00", "method": "cash"}
    assert _post(client, "/api/v1/payments", body, HTTP_IDEMPOTENCY_KEY="x").status_code == 404
    assert not Payment.objects.exists()


def test_reverse_needs_a_reason_and_finance(client, estate_a, unit_a, finance_a):
    make_bill(unit_a, "100.00")
    payment = pay(unit_a, "100.00", finance_a)
    url = f"/api/v1/payments/{payment.pk}/reverse"

    client.force_login(make_staff(estate_a, "front_desk"))
    assert _post(client, url, {"reason": "错收"}).status_code == 403
    client.force_login(finance_a)
    response = _post(client, url, {"reason": "   "})
    assert (response.status_code, response.json()["field"]) == (422, "reason")
    assert not Reversal.objects.exists()

    response = _post(client, url, {"reason": "错收"})
    assert response.status_code == 200
    assert response.json()["reversal"]["reason"] == "错收"
    assert response.json()["unit_credit"] == "0.00"
    again = _post(client, url, {"reason": "错收"})
    assert again.status_code == 409
    assert_fee_invariants()


def test_voiding_a_paid_bill_is_a_409_with_a_clear_body(client, unit_a, finance_a):
    bill = make_bill(unit_a, "100.00")
    pay(unit_a, "50.00", finance_a)
    client.force_login(finance_a)
    response = _post(client, f"/api/v1/bills/{bill.pk}/void", {"reason": "面积错误"})
    assert response.status_code == 409
    assert response.json() == {
        "code": "conflict",
        "message": "该账单已有收款，请先冲正收款再作废。",
        "field": "bill",
    }
    bill.refresh_from_db()
    assert bill.voided_at is None
    assert_fee_invariants()


def test_void_and_reissue_over_the_api(client, unit_a, finance_a):
    bill = make_bill(unit_a, "100.00")
    client.force_login(finance_a)
    response = _post(
        client,
        f"/api/v1/bills/{bill.pk}/void",
        {"reason": "面积错误", "reissue_amount": "90.50"},
    )
    assert response.status_code == 200
    data = response.json()
    assert data["voided_at"] and data["void_reason"] == "面积错误"
    new = Bill.objects.get(pk=data["reissue"])
    assert new.amount_due == Decimal("90.50")
    detail = client.get(f"/api/v1/bills/{new.pk}").json()
    assert detail["reissue_of"] == bill.pk


def _pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.mark.parametrize("size", ["a4", "receipt"])
def test_receipt_pdf_has_the_labels_amount_and_capital_numerals(client, unit_a, finance_a, size):
    make_bill(unit_a, "1000.00")
    payment = pay(unit_a, "1234.56", finance_a, payer="李四")
    client.force_login(finance_a)
    response = client.get(f"/api/v1/payments/{payment.pk}/receipt.pdf", {"size": size})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    for expected in (
        "收据",
        payment.number,
        "3-2-1501",
        "李四",
        "现金",
        "1,234.56",
        "壹仟贰佰叁拾肆元伍角陆分",
        "大写",
        "人民币",
        "预存",
    ):
        assert expected in text, expected


def test_arrears_ageing_over_the_api(client, estate_a, unit_a, finance_a):
    today = timezone.localtime(timezone.now(), estate_a.tz).date()
    make_bill(unit_a, "10.00", due=today, period="2026-01")  # due today: not late
    make_bill(unit_a, "20.00", due=today - dt.timedelta(days=1), period="2026-02")
    make_bill(unit_a, "30.00", due=today - dt.timedelta(days=31), period="2026-03")
    make_bill(unit_a, "40.00", due=today - dt.timedelta(days=180), period="2026-04")
    make_bill(make_unit(estate_a, "1-1-101"), "50.00", due=today - dt.timedelta(days=181))
    client.force_login(finance_a)

    body = client.get("/api/v1/arrears", {"estate": "HY01"}).json()

    assert body["ageing"] == {
        "d0_30": "20.00",
        "d31_90": "30.00",
        "d91_180": "40.00",
        "over_180": "50.00",
        "total": "140.00",
    }
    assert (body["units"], body["bills"], body["count"]) == (2, 4, 2)
    assert body["items"][0]["unit"] == "3-2-1501"
    assert body["items"][0]["total"] == "90.00"


def test_arrears_notices_and_statement_pdfs(client, estate_a, unit_a, finance_a):
    today = timezone.localtime(timezone.now(), estate_a.tz).date()
    make_bill(unit_a, "88.00", due=today - dt.timedelta(days=40))
    client.force_login(finance_a)
    notices = client.get("/api/v1/arrears/notices.pdf", {"estate": "HY01"})
    assert notices.status_code == 200
    text = _pdf_text(notices.content)
    assert "催缴通知单" in text and "3-2-1501" in text and "捌拾捌元整" in text
    single = client.get(f"/api/v1/units/{unit_a.pk}/arrears-notice.pdf")
    assert "88.00" in _pdf_text(single.content)
    statement = client.get(
        "/api/v1/fee-statement.pdf", {"estate": "HY01", "period": f"{today:%Y-%m}"}
    )
    assert statement.status_code == 200
    assert "收缴率" in _pdf_text(statement.content)
    bad = client.get("/api/v1/fee-statement.pdf", {"estate": "HY01", "period": "2026-13"})
    assert (bad.status_code, bad.json()["field"]) == (422, "period")


def test_fee_items_list(client, estate_a, finance_a):
    from tests.fees.factories import make_fee_item

    make_fee_item(estate_a, "PM", price="2.50", late_fee_daily_rate=Decimal("0.0005"))
    client.force_login(finance_a)
    body = client.get("/api/v1/fee-items", {"estate": "HY01"}).json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["prices"] == [{"price": "2.5", "valid_from": "2020-01-01", "valid_to": None}]
    assert item["late_fee_daily_rate"] == "0.0005"

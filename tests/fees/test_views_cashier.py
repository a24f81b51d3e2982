"""The cashier desk: find a unit, see what it owes, take a payment once however often the form
is sent, keep what was typed when a payment is refused, print the receipt."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from fees.models import Bill, Payment, UnitAccount
from residents import services as resident_services
from tests.factories import make_staff, make_unit
from tests.fees.factories import make_bill, pay
from tests.fees.invariants import assert_fee_invariants

pytestmark = pytest.mark.django_db


def _key(html: str) -> str:
    return re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', html).group(1)


def _form(client, unit) -> dict:
    html = client.get(reverse("fees:cashier_unit", args=[unit.pk])).content.decode()
    amount = re.search(r'name="amount"(?: value="([^"]*)")?', html).group(1) or ""
    return {
        "amount": amount,
        "method": "cash",
        "payer": "张三",
        "reference": "",
        "allocation": "oldest",
        "idempotency_key": _key(html),
    }


@pytest.fixture
def cashier(client, estate_a):
    user = make_staff(estate_a, "front_desk")
    client.force_login(user)
    return user


def test_search_as_you_type_lists_matching_units_with_what_they_owe(client, estate_a, cashier):
    unit = make_unit(estate_a, "3-2-1501")
    make_unit(estate_a, "3-2-1502")
    make_unit(estate_a, "5-1-0101")
    make_bill(unit, "250.00")

    response = client.get(
        reverse("fees:cashier"), {"estate": "HY01", "q": "3-2"}, HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html  # a fragment for htmx, not a page
    assert "3-2-1501" in html and "3-2-1502" in html and "5-1-0101" not in html
    assert "250.00" in html


def test_search_results_come_in_natural_order_like_the_front_desks(client, estate_a, cashier):
    """2-1-102 before 2-1-1001, and with more matches than a page shows, the first ones as a
    person counts (not the first ones as text sorts: 2-1-1001 ... 2-1-1020)."""
    for room in [*range(1001, 1021), 102, 101, 105, 103, 104]:
        make_unit(estate_a, f"2-1-{room}")

    response = client.get(
        reverse("fees:cashier"), {"estate": "HY01", "q": "2-1-10"}, HTTP_HX_REQUEST="true"
    )

    found = re.findall(r"<strong>(2-1-\d+)</strong>", response.content.decode())
    expected = [f"2-1-{room}" for room in [101, 102, 103, 104, 105, *range(1001, 1016)]]
    assert found == expected


def test_enter_on_an_exact_unit_number_opens_the_unit(client, estate_a, cashier):
    unit = make_unit(estate_a, "3-2-150")
    make_unit(estate_a, "3-2-1501")

    response = client.get(reverse("fees:cashier"), {"q": "3-2-150"})

    assert response.status_code == 302
    assert response["Location"] == reverse("fees:cashier_unit", args=[unit.pk])


def test_search_does_not_find_units_of_another_estate(client, estate_a, estate_b, cashier):
    make_unit(estate_b, "9-9-9999")

    response = client.get(reverse("fees:cashier"), {"q": "9-9"}, HTTP_HX_REQUEST="true")

    assert "9-9-9999" not in response.content.decode()


def test_the_form_is_prefilled_with_the_total_owed_the_payer_and_a_fresh_key(
    client, estate_a, cashier
):
    unit = make_unit(estate_a, "3-2-1501")
    resident_services.resident_create(
        estate=estate_a, name="王芳", phone="13812345678", units=[unit], primary=True
    )
    make_bill(unit, "100.00", due=dt.date(2026, 9, 15))
    make_bill(unit, "23.45", due=dt.date(2026, 10, 15))
    url = reverse("fees:cashier_unit", args=[unit.pk])

    first = client.get(url).content.decode()
    second = client.get(url).content.decode()

    assert 'name="amount" value="123.45"' in first
    assert 'name="payer" value="王芳"' in first
    assert "138****5678" in first and "13812345678" not in first
    assert _key(first) != _key(second)  # each form shown is a new payment


def test_sending_the_same_form_twice_records_one_payment_with_one_receipt(
    client, estate_a, cashier
):
    unit = make_unit(estate_a, "3-2-1501")
    bill = make_bill(unit, "180.00")
    data = _form(client, unit)
    url = reverse("fees:cashier_unit", args=[unit.pk])

    first = client.post(url, data)
    second = client.post(url, data)  # the double click / the browser's retry

    payment = Payment.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("fees:payment", args=[payment.pk])
    receipt = client.get(second["Location"]).content.decode()
    assert payment.number in receipt and "壹佰捌拾元整" in receipt
    bill.refresh_from_db()
    assert bill.amount_paid == Decimal("180.00")
    assert_fee_invariants()


@pytest.mark.parametrize("amount", ["12.345", "-5", "0", "abc", ""])
def test_a_refused_amount_comes_back_as_typed_with_the_error_beside_it(
    client, estate_a, cashier, amount
):
    unit = make_unit(estate_a, "3-2-1501")
    make_bill(unit, "180.00")
    data = {
        **_form(client, unit),
        "amount": amount,
        "method": "wechat",
        "payer": "李四",
        "reference": "WX-889",
    }

    response = client.post(reverse("fees:cashier_unit", args=[unit.pk]), data)

    html = response.content.decode()
    assert response.status_code == 422
    assert not Payment.objects.exists()
    assert f'name="amount" value="{amount}"' in html or not amount
    assert 'name="payer" value="李四"' in html and 'value="WX-889"' in html
    assert '<option value="wechat" selected>' in html
    assert f'value="{data["idempotency_key"]}"' in html  # the same form, so still one payment
    # the error sits right after the amount field, before the next one
    after_amount = html.split('name="amount"', 1)[1].split('name="method"', 1)[0]
    assert 'class="errorlist' in after_amount


def test_ticked_bills_are_paid_and_the_rest_kept_as_credit(client, estate_a, cashier):
    unit = make_unit(estate_a, "3-2-1501")
    old = make_bill(unit, "100.00", due=dt.date(2026, 9, 15))
    new = make_bill(unit, "50.00", due=dt.date(2026, 10, 15))
    data = {**_form(client, unit), "amount": "70.00", "allocation": "chosen", "bills": [new.pk]}

    response = client.post(reverse("fees:cashier_unit", args=[unit.pk]), data)

    assert response.status_code == 302
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.amount_paid, new.amount_paid) == (Decimal("0.00"), Decimal("50.00"))
    assert UnitAccount.objects.get(unit=unit).credit == Decimal("20.00")
    assert_fee_invariants()


def test_choosing_bills_without_ticking_any_is_refused(client, estate_a, cashier):
    unit = make_unit(estate_a, "3-2-1501")
    make_bill(unit, "100.00")
    data = {**_form(client, unit), "allocation": "chosen"}

    response = client.post(reverse("fees:cashier_unit", args=[unit.pk]), data)

    assert response.status_code == 422
    assert not Payment.objects.exists()


def test_a_bill_of_another_unit_is_refused_beside_the_bills(client, estate_a, cashier):
    unit = make_unit(estate_a, "3-2-1501")
    other = make_bill(make_unit(estate_a, "3-2-1502"), "100.00")
    data = {**_form(client, unit), "amount": "10.00", "allocation": "chosen", "bills": [other.pk]}

    response = client.post(reverse("fees:cashier_unit", args=[unit.pk]), data)

    assert response.status_code == 422
    assert other.number in response.content.decode()
    assert not Payment.objects.exists()


def test_a_used_key_for_a_different_amount_is_refused_and_a_new_key_offered(
    client, estate_a, cashier
):
    unit = make_unit(estate_a, "3-2-1501")
    make_bill(unit, "100.00")
    data = _form(client, unit)
    client.post(reverse("fees:cashier_unit", args=[unit.pk]), data)

    response = client.post(
        reverse("fees:cashier_unit", args=[unit.pk]), {**data, "amount": "40.00"}
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert _key(html) != data["idempotency_key"]
    assert Payment.objects.count() == 1


@pytest.mark.parametrize("role", ["technician", "manager"])
def test_roles_that_do_not_take_money_are_refused(client, estate_a, role):
    unit = make_unit(estate_a, "3-2-1501")
    make_bill(unit, "100.00")
    client.force_login(make_staff(estate_a, role))

    page = client.get(reverse("fees:cashier_unit", args=[unit.pk]))
    post = client.post(
        reverse("fees:cashier_unit", args=[unit.pk]),
        {"amount": "100.00", "method": "cash", "allocation": "oldest", "idempotency_key": "k1"},
    )

    assert page.status_code == post.status_code == 403
    assert not Payment.objects.exists()


def test_the_receipt_prints_as_pdf_in_both_sizes(client, estate_a, cashier):
    unit = make_unit(estate_a, "3-2-1501")
    make_bill(unit, "100.00")
    payment = pay(unit, "100.00", cashier)

    a4 = client.get(reverse("fees:receipt_pdf", args=[payment.pk]))
    small = client.get(reverse("fees:receipt_pdf", args=[payment.pk]), {"size": "receipt"})

    assert a4.status_code == small.status_code == 200
    assert a4["Content-Type"] == "application/pdf" and a4.content.startswith(b"%PDF")
    assert small.content.startswith(b"%PDF") and small.content != a4.content


def test_credit_can_be_spent_on_bills_that_were_open_when_it_arrived(client, estate_a, cashier):
    unit = make_unit(estate_a, "3-2-1501")
    pay(unit, "30.00", cashier)  # nothing owed: all credit
    bill = make_bill(unit, "100.00")  # made by hand, so it did not use the credit

    response = client.post(reverse("fees:credit_use", args=[unit.pk]))

    assert response.status_code == 302
    bill.refresh_from_db()
    assert bill.amount_paid == Decimal("30.00")
    assert UnitAccount.objects.get(unit=unit).credit == 0
    assert_fee_invariants()


def test_the_desk_lists_what_this_cashier_took_today(client, estate_a, cashier):
    unit = make_unit(estate_a, "3-2-1501")
    make_bill(unit, "300.00")
    pay(unit, "100.00", cashier)
    pay(unit, "25.50", cashier)
    pay(unit, "1.00", make_staff(estate_a, "finance"))  # someone else's

    response = client.get(reverse("fees:cashier"))

    assert response.context["desk"]["count"] == 2
    assert response.context["desk"]["amount"] == Decimal("125.50")


def test_a_voided_bill_is_not_offered(client, estate_a, cashier):
    unit = make_unit(estate_a, "3-2-1501")
    bill = make_bill(unit, "100.00")
    Bill.objects.filter(pk=bill.pk).update(voided_at=bill.issued_at, void_reason="x")

    html = client.get(reverse("fees:cashier_unit", args=[unit.pk])).content.decode()

    assert f'name="bills" value="{bill.pk}"' not in html
    assert _form(client, unit)["amount"] == ""


# Finding a unit by its people -------------------------------------------------------------


@pytest.fixture
def households(estate_a, estate_b):
    first = make_unit(estate_a, "3-2-1501")
    second = make_unit(estate_a, "5-1-0101")
    make_unit(estate_a, "6-1-0101")
    resident_services.resident_create(
        estate=estate_a, name="王芳", phone="13812345678", units=[first], primary=True
    )
    resident_services.resident_create(
        estate=estate_a,
        name="李四",
        phone="13900005678",
        units=[second],
        primary=True,
        kind="tenant",
    )
    # Another estate's resident with the same last four is never found.
    other = make_unit(estate_b, "9-9-0909")
    resident_services.resident_create(
        estate=estate_b, name="王芳", phone="13812345678", units=[other], primary=True
    )
    make_bill(first, "120.00")
    return first, second


def _results(client, q: str) -> str:
    response = client.get(
        reverse("fees:cashier"), {"estate": "HY01", "q": q}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    "q,found,not_found",
    [
        ("王芳", ["3-2-1501"], ["5-1-0101", "9-9-0909"]),
        ("王", ["3-2-1501"], ["5-1-0101"]),
        ("13812345678", ["3-2-1501"], ["5-1-0101", "9-9-0909"]),
        ("138 1234 5678", ["3-2-1501"], ["5-1-0101"]),
        ("5678", ["3-2-1501", "5-1-0101"], ["6-1-0101", "9-9-0909"]),
        ("0101", ["5-1-0101", "6-1-0101"], ["3-2-1501"]),
    ],
)
def test_the_cashier_finds_a_unit_by_owner_name_or_phone(
    client, cashier, households, q, found, not_found
):
    html = _results(client, q)
    for number in found:
        assert number in html, (q, number)
    for number in not_found:
        assert number not in html, (q, number)


def test_the_results_show_the_owner_with_the_phone_masked(client, cashier, households):
    html = _results(client, "5678")
    assert "王芳" in html and "李四" in html and "租户" in html
    assert "138****5678" in html and "13812345678" not in html
    assert "120.00" in html


def test_one_match_by_name_opens_the_unit(client, cashier, households):
    response = client.get(reverse("fees:cashier"), {"estate": "HY01", "q": "李四"})
    assert response.status_code == 302
    assert response["Location"] == reverse("fees:cashier_unit", args=[households[1].pk])


def test_the_search_takes_two_queries_however_many_units_match(
    client, cashier, households, estate_a, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        _results(client, "5678")
    for i in range(5):
        unit = make_unit(estate_a, f"7-1-{i:04d}")
        resident_services.resident_create(
            estate=estate_a, name=f"住户{i}", phone=f"1370000{i}678", units=[unit], primary=True
        )
        make_bill(unit, "10.00")
    # The units with what they owe (1) and their primary contacts (1), beside the page's own.
    with django_assert_num_queries(len(few.captured_queries)):
        html = _results(client, "住户")
    assert html.count("7-1-") == 5

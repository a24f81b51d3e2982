"""A unit's account: what it shows, the corrections finance may make (with a reason, refused
ones shown where they were typed), the statement, and a fixed number of queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from fees import selectors
from fees.models import Bill, Reversal
from tests.factories import make_staff, make_unit
from tests.fees.factories import make_bill, pay
from tests.fees.invariants import assert_fee_invariants

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance(client, estate_a):
    user = make_staff(estate_a, "finance")
    client.force_login(user)
    return user


def test_the_account_shows_bills_payments_reversals_and_credit(client, estate_a, finance):
    unit = make_unit(estate_a, "3-2-1501")
    bill = make_bill(unit, "100.00", due=dt.date(2026, 9, 15))
    make_bill(unit, "60.00", due=dt.date(2026, 10, 15))
    kept = pay(unit, "130.00", finance)
    undone = pay(unit, "50.00", finance)
    from fees import services

    services.payment_reverse(payment=undone, reason="收错房号", by=finance)

    response = client.get(reverse("fees:account", args=[unit.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert bill.number in html and kept.number in html and undone.number in html
    assert "收错房号" in html
    assert response.context["owed"] == Decimal("30.00")
    assert response.context["credit"] == Decimal("0.00")
    assert_fee_invariants()


def test_finance_reverses_a_payment_with_a_reason(client, estate_a, finance):
    unit = make_unit(estate_a, "3-2-1501")
    bill = make_bill(unit, "100.00")
    payment = pay(unit, "100.00", finance)

    response = client.post(
        reverse("fees:payment_reverse", args=[payment.pk]), {f"r{payment.pk}-reason": "重复收款"}
    )

    assert response.status_code == 302
    assert Reversal.objects.get(payment=payment).reason == "重复收款"
    bill.refresh_from_db()
    assert bill.amount_paid == 0
    assert_fee_invariants()


def test_a_reversal_without_a_reason_is_refused_in_its_row(client, estate_a, finance):
    unit = make_unit(estate_a, "3-2-1501")
    make_bill(unit, "100.00")
    payment = pay(unit, "100.00", finance)

    response = client.post(
        reverse("fees:payment_reverse", args=[payment.pk]), {f"r{payment.pk}-reason": "  "}
    )

    assert response.status_code == 422
    html = response.content.decode()
    row = html.split(payment.number, 1)[1].split("</tr>", 1)[0]
    assert (
        "has-error" in html
        and 'class="errorlist' in row
        and '<details class="row-action" open>' in row
    )
    assert not Reversal.objects.exists()


def test_reversing_from_the_receipt_page_comes_back_to_it(client, estate_a, finance):
    unit = make_unit(estate_a, "3-2-1501")
    make_bill(unit, "100.00")
    payment = pay(unit, "100.00", finance)
    url = reverse("fees:payment_reverse", args=[payment.pk])

    refused = client.post(url, {"back": "payment", "reason": ""})
    done = client.post(url, {"back": "payment", "reason": "退款"})
    again = client.post(url, {"back": "payment", "reason": "再次"})

    assert refused.status_code == 422 and "errorlist" in refused.content.decode()
    assert done.status_code == 302 and done["Location"] == reverse(
        "fees:payment", args=[payment.pk]
    )
    assert again.status_code == 409 and 'value="再次"' in again.content.decode()
    assert Reversal.objects.count() == 1


def test_voiding_a_paid_bill_is_refused_with_the_reason_kept(client, estate_a, finance):
    unit = make_unit(estate_a, "3-2-1501")
    bill = make_bill(unit, "100.00")
    pay(unit, "40.00", finance)

    response = client.post(
        reverse("fees:bill_void", args=[bill.pk]), {f"v{bill.pk}-reason": "面积错误"}
    )

    # A bill with money on it shows no void form; the service refuses it all the same, and the
    # page shows why in the bill's row, with the reason as typed.
    assert response.status_code == 409
    row = response.content.decode().split(bill.number, 1)[1].split("</tr>", 1)[0]
    assert 'value="面积错误"' in row and 'class="errorlist' in row
    bill.refresh_from_db()
    assert bill.voided_at is None


def test_void_and_reissue_makes_the_corrected_bill(client, estate_a, finance):
    unit = make_unit(estate_a, "3-2-1501")
    bill = make_bill(unit, "250.00")

    response = client.post(
        reverse("fees:bill_void", args=[bill.pk]),
        {f"v{bill.pk}-reason": "面积录入错误", f"v{bill.pk}-reissue_amount": "236.50"},
    )

    assert response.status_code == 302
    bill.refresh_from_db()
    assert bill.voided_at is not None and bill.void_reason == "面积录入错误"
    assert bill.reissue.amount_due == Decimal("236.50")
    assert_fee_invariants()


def test_a_bad_reissue_amount_is_refused_beside_it_and_nothing_voided(client, estate_a, finance):
    unit = make_unit(estate_a, "3-2-1501")
    bill = make_bill(unit, "250.00")

    response = client.post(
        reverse("fees:bill_void", args=[bill.pk]),
        {f"v{bill.pk}-reason": "面积录入错误", f"v{bill.pk}-reissue_amount": "236.505"},
    )

    html = response.content.decode()
    assert response.status_code == 422
    assert 'value="236.505"' in html and 'value="面积录入错误"' in html
    after = html.split('value="236.505"', 1)[1].split("</label>", 1)[0]
    assert 'class="errorlist' in after
    bill.refresh_from_db()
    assert bill.voided_at is None and not Bill.objects.filter(reissue_of=bill).exists()


@pytest.mark.parametrize("role", ["front_desk", "manager"])
def test_only_finance_and_admins_correct_money(client, estate_a, role):
    unit = make_unit(estate_a, "3-2-1501")
    bill = make_bill(unit, "100.00")
    other = make_bill(unit, "50.00", due=dt.date(2026, 12, 15))
    payment = pay(unit, "100.00", make_staff(estate_a, "finance"))
    client.force_login(make_staff(estate_a, role))

    page = client.get(reverse("fees:account", args=[unit.pk])).content.decode()
    void = client.post(reverse("fees:bill_void", args=[other.pk]), {f"v{other.pk}-reason": "x"})
    undo = client.post(
        reverse("fees:payment_reverse", args=[payment.pk]), {f"r{payment.pk}-reason": "x"}
    )

    assert "/void/" not in page and "/reverse/" not in page  # no correction forms shown
    assert void.status_code == undo.status_code == 403
    bill.refresh_from_db()
    other.refresh_from_db()
    assert other.voided_at is None and not Reversal.objects.exists()


def test_finance_sees_the_correction_forms(client, estate_a, finance):
    unit = make_unit(estate_a, "3-2-1501")
    unpaid = make_bill(unit, "50.00", due=dt.date(2026, 12, 15))
    paid = make_bill(unit, "100.00", due=dt.date(2026, 9, 15))
    payment = pay(unit, "100.00", finance)

    html = client.get(reverse("fees:account", args=[unit.pk])).content.decode()

    assert reverse("fees:bill_void", args=[unpaid.pk]) in html
    assert reverse("fees:bill_void", args=[paid.pk]) not in html  # paid: reverse first
    assert reverse("fees:payment_reverse", args=[payment.pk]) in html


def test_the_statement_balance_is_what_is_owed_less_the_credit(client, estate_a, finance):
    unit = make_unit(estate_a, "3-2-1501")
    make_bill(unit, "100.00", due=dt.date(2026, 9, 15))
    voided = make_bill(unit, "80.00", due=dt.date(2026, 10, 15))
    from fees import services

    services.bill_void(bill=voided, reason="重复", by=finance)
    pay(unit, "150.00", finance)  # 100 to the bill, 50 credit
    undone = pay(unit, "20.00", finance)
    services.payment_reverse(payment=undone, reason="收错", by=finance)

    response = client.get(reverse("fees:unit_statement", args=[unit.pk]))

    statement = response.context["statement"]
    assert response.status_code == 200
    assert statement["closing"] == Decimal("-50.00")  # 0 owed, 50 credit
    assert [line.kind for line in statement["lines"]].count("reversal") == 1
    owed = sum(b.outstanding for b in selectors.open_bills(unit))
    assert statement["closing"] == owed - selectors.unit_credit(unit)


def test_a_statement_range_starts_from_the_opening_balance(client, estate_a, finance):
    unit = make_unit(estate_a, "3-2-1501")
    tz = estate_a.tz
    september = dt.datetime(2026, 9, 1, 9, tzinfo=tz)
    make_bill(unit, "100.00", due=dt.date(2026, 9, 15), issued_at=september)
    make_bill(unit, "100.00", due=dt.date(2026, 10, 15), issued_at=september.replace(month=10))

    response = client.get(
        reverse("fees:unit_statement", args=[unit.pk]), {"start": "2026-10-01", "end": "2026-11-01"}
    )

    statement = response.context["statement"]
    assert statement["opening"] == Decimal("100.00")
    assert len(statement["lines"]) == 1
    assert statement["closing"] == Decimal("200.00")


def test_a_statement_range_that_ends_before_it_starts_is_refused(client, estate_a, finance):
    unit = make_unit(estate_a, "3-2-1501")

    response = client.get(
        reverse("fees:unit_statement", args=[unit.pk]), {"start": "2026-10-01", "end": "2026-09-01"}
    )

    assert response.status_code == 422
    assert 'value="2026-09-01"' in response.content.decode()


@pytest.mark.parametrize("rows", [1, 30])
def test_the_account_runs_a_fixed_number_of_queries(
    client, estate_a, finance, django_assert_num_queries, rows
):
    unit = make_unit(estate_a, "3-2-1501")
    for i in range(rows):
        make_bill(unit, "10.00", due=dt.date(2024, 1, 15) + dt.timedelta(days=31 * i))
        pay(unit, "10.00", finance)
    url = reverse("fees:account", args=[unit.pk])
    client.get(url)  # session and caches warm

    # 14: session, user, user and group permissions (2), memberships (roles); the unit with
    # its estate and building, its bills, its payments, their live allocations (prefetch), the
    # credit, the primary contact; the base template's estate, unread notifications and the
    # switcher's estates.
    with django_assert_num_queries(14):
        response = client.get(url)

    assert len(response.context["bills"]) == rows

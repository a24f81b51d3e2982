"""Payments: allocation, partial and over-payment, idempotency, reversal, voiding."""

import datetime as dt
from decimal import Decimal

import pytest

from estate.errors import DomainError
from fees import services
from fees.models import Allocation, Bill, Payment, Reversal, UnitAccount
from tests.factories import make_estate, make_staff, make_unit
from tests.fees.factories import make_bill, pay
from tests.fees.invariants import assert_fee_invariants

pytestmark = pytest.mark.django_db


def _credit(unit) -> Decimal:
    return UnitAccount.objects.get(unit=unit).credit


def test_payment_pays_oldest_bills_first_and_leaves_the_last_partly_paid(unit_a, finance_a):
    old = make_bill(unit_a, "100.00", due=dt.date(2026, 9, 15))
    mid = make_bill(unit_a, "80.00", due=dt.date(2026, 10, 15))
    new = make_bill(unit_a, "50.00", due=dt.date(2026, 11, 15))

    payment = pay(unit_a, "150.00", finance_a)

    for bill in (old, mid, new):
        bill.refresh_from_db()
    assert (old.amount_paid, mid.amount_paid, new.amount_paid) == (
        Decimal("100.00"),
        Decimal("50.00"),
        Decimal("0.00"),
    )
    assert old.fully_paid_at == payment.received_at
    assert mid.fully_paid_at is None
    assert payment.number.startswith("HY01-SJ")
    assert _credit(unit_a) == 0
    assert_fee_invariants()


def test_chosen_bills_are_paid_in_the_order_given_and_the_rest_is_credit(unit_a, finance_a):
    old = make_bill(unit_a, "100.00", due=dt.date(2026, 9, 15))
    new = make_bill(unit_a, "50.00", due=dt.date(2026, 11, 15))

    pay(unit_a, "70.00", finance_a, bills=[new.pk])

    old.refresh_from_db()
    new.refresh_from_db()
    assert old.amount_paid == 0
    assert new.amount_paid == Decimal("50.00")
    assert _credit(unit_a) == Decimal("20.00")
    assert_fee_invariants()


def test_over_payment_becomes_credit_used_by_the_next_bills(estate_a, unit_a, finance_a):
    from tests.fees.factories import make_fee_item

    make_fee_item(estate_a, "PM", price="2.50")  # 100 m² × 2.50 = 250.00 a month
    bill = make_bill(unit_a, "100.00", due=dt.date(2026, 10, 15))

    pay(unit_a, "400.00", finance_a)
    assert _credit(unit_a) == Decimal("300.00")

    assert services.bills_generate(estate=estate_a, period_label="2026-11") == 1
    november = Bill.objects.get(unit=unit_a, period="2026-11")
    bill.refresh_from_db()
    assert bill.amount_paid == Decimal("100.00")
    assert november.amount_due == Decimal("250.00")
    assert november.amount_paid == Decimal("250.00")
    assert november.fully_paid_at is not None
    assert _credit(unit_a) == Decimal("50.00")
    assert_fee_invariants()


def test_a_repeated_idempotency_key_returns_the_first_payment(unit_a, finance_a):
    make_bill(unit_a, "100.00")
    first = pay(unit_a, "60.00", finance_a, key="k-1")
    again = pay(unit_a, "60.00", finance_a, key="k-1")

    assert again.pk == first.pk
    assert Payment.objects.count() == 1
    assert Allocation.objects.count() == 1
    assert_fee_invariants()


def test_the_same_key_for_another_amount_is_a_conflict(unit_a, finance_a):
    make_bill(unit_a, "100.00")
    pay(unit_a, "60.00", finance_a, key="k-1")
    with pytest.raises(DomainError) as exc:
        pay(unit_a, "61.00", finance_a, key="k-1")
    assert (exc.value.status, exc.value.field) == (409, "idempotency_key")
    assert Payment.objects.count() == 1
    assert_fee_invariants()


@pytest.mark.parametrize("amount", ["-5.00", "0", "0.00", "12.345", "abc", "", None, "NaN"])
def test_bad_amounts_are_refused_on_the_amount_field_and_nothing_is_saved(
    unit_a, finance_a, amount
):
    bill = make_bill(unit_a, "100.00")
    with pytest.raises(DomainError) as exc:
        pay(unit_a, amount, finance_a)
    assert (exc.value.status, exc.value.field) == (422, "amount")
    bill.refresh_from_db()
    assert bill.amount_paid == 0
    assert not Payment.objects.exists()
    assert not UnitAccount.objects.filter(credit__gt=0).exists()
    assert_fee_invariants()


def test_unknown_method_is_refused(unit_a, finance_a):
    with pytest.raises(DomainError) as exc:
        pay(unit_a, "10.00", finance_a, method="bitcoin")
    assert exc.value.field == "method"
    assert not Payment.objects.exists()


def test_unknown_and_foreign_bills_are_refused_on_the_bills_field(estate_a, unit_a, finance_a):
    neighbour = make_unit(estate_a, "3-2-1502")
    theirs = make_bill(neighbour, "100.00")
    elsewhere = make_bill(make_unit(make_estate(code="ZZ01"), "1-1-101"), "100.00")
    mine = make_bill(unit_a, "100.00")

    for bills in ([999999], [theirs.pk], [elsewhere.pk], [mine.pk, mine.pk], ["x"]):
        with pytest.raises(DomainError) as exc:
            pay(unit_a, "50.00", finance_a, bills=bills)
        assert (exc.value.status, exc.value.field) == (422, "bills"), bills
    assert "3-2-1501" in str(
        pytest.raises(DomainError, pay, unit_a, "5.00", finance_a, bills=[theirs.pk]).value
    )
    assert not Payment.objects.exists()
    assert not Allocation.objects.exists()
    assert_fee_invariants()


def test_a_paid_or_voided_bill_cannot_be_chosen(unit_a, finance_a):
    paid = make_bill(unit_a, "10.00", due=dt.date(2026, 9, 15))
    pay(unit_a, "10.00", finance_a)
    with pytest.raises(DomainError) as exc:
        pay(unit_a, "10.00", finance_a, bills=[paid.pk])
    assert exc.value.field == "bills"
    assert Payment.objects.count() == 1
    assert_fee_invariants()


def test_roles_who_may_record_a_payment(estate_a, unit_a):
    make_bill(unit_a, "100.00")
    for role in ("front_desk", "finance", "admin"):
        pay(unit_a, "1.00", make_staff(estate_a, role))
    for role in ("technician", "manager"):
        with pytest.raises(DomainError) as exc:
            pay(unit_a, "1.00", make_staff(estate_a, role))
        assert exc.value.status == 403
    other = make_staff(make_estate(code="ZZ02"), "finance")
    with pytest.raises(DomainError):
        pay(unit_a, "1.00", other)
    assert Payment.objects.count() == 3
    assert_fee_invariants()


def test_received_at_in_the_future_is_refused(unit_a, finance_a):
    from django.utils import timezone

    with pytest.raises(DomainError) as exc:
        pay(unit_a, "1.00", finance_a, received_at=timezone.now() + dt.timedelta(days=1))
    assert exc.value.field == "received_at"


def test_reversal_undoes_the_allocations_and_the_credit(unit_a, finance_a):
    bill = make_bill(unit_a, "100.00")
    payment = pay(unit_a, "130.00", finance_a)
    assert _credit(unit_a) == Decimal("30.00")

    reversal = services.payment_reverse(payment=payment, reason="收错房号", by=finance_a)

    bill.refresh_from_db()
    assert bill.amount_paid == 0 and bill.fully_paid_at is None
    assert _credit(unit_a) == 0
    assert reversal.number.startswith("HY01-CZ")
    assert Payment.objects.get().amount == Decimal("130.00")  # never edited
    assert_fee_invariants()


def test_reversal_needs_a_reason_a_finance_role_and_happens_once(estate_a, unit_a, finance_a):
    make_bill(unit_a, "100.00")
    payment = pay(unit_a, "100.00", finance_a)
    with pytest.raises(DomainError) as exc:
        services.payment_reverse(payment=payment, reason="  ", by=finance_a)
    assert (exc.value.status, exc.value.field) == (422, "reason")
    for role in ("front_desk", "manager"):
        with pytest.raises(DomainError) as exc:
            services.payment_reverse(payment=payment, reason="x", by=make_staff(estate_a, role))
        assert exc.value.status == 403
    assert not Reversal.objects.exists()

    services.payment_reverse(payment=payment, reason="重复收款", by=finance_a)
    with pytest.raises(DomainError) as exc:
        services.payment_reverse(payment=payment, reason="again", by=finance_a)
    assert exc.value.status == 409
    assert Reversal.objects.count() == 1
    assert_fee_invariants()


def test_reversing_a_payment_whose_credit_paid_a_later_bill(estate_a, unit_a, finance_a):
    first = make_bill(unit_a, "100.00", due=dt.date(2026, 9, 15))
    payment = pay(unit_a, "150.00", finance_a)
    later = services.bill_one_off_create(
        estate=estate_a,
        unit=unit_a,
        amount=Decimal("40.00"),
        kind="paid_service",
        description="换水龙头",
        source_ref="R-1",
    )
    later.refresh_from_db()
    assert later.amount_paid == Decimal("40.00")
    assert _credit(unit_a) == Decimal("10.00")

    services.payment_reverse(payment=payment, reason="退票", by=finance_a)

    first.refresh_from_db()
    later.refresh_from_db()
    assert (first.amount_paid, later.amount_paid, _credit(unit_a)) == (0, 0, 0)
    assert_fee_invariants()


def test_a_bill_with_payments_cannot_be_voided_until_they_are_reversed(unit_a, finance_a):
    bill = make_bill(unit_a, "100.00")
    payment = pay(unit_a, "30.00", finance_a)

    with pytest.raises(DomainError) as exc:
        services.bill_void(bill=bill, reason="面积错误", by=finance_a)
    assert (exc.value.status, exc.value.code, exc.value.field) == (409, "conflict", "bill")
    bill.refresh_from_db()
    assert bill.voided_at is None

    services.payment_reverse(payment=payment, reason="面积错误", by=finance_a)
    services.bill_void(bill=bill, reason="面积错误", by=finance_a)
    bill.refresh_from_db()
    assert bill.voided_at is not None and bill.void_reason == "面积错误"
    assert_fee_invariants()


def test_void_and_reissue(unit_a, finance_a):
    bill = make_bill(unit_a, "100.00")
    voided = services.bill_void(
        bill=bill, reason="单价错误", by=finance_a, reissue_amount=Decimal("90.00")
    )
    new = voided.reissue
    assert new.number == f"{bill.number}-R1"
    assert (new.amount_due, new.amount_paid, new.due_date, new.period) == (
        Decimal("90.00"),
        0,
        bill.due_date,
        bill.period,
    )
    pay(unit_a, "20.00", finance_a, bills=[])  # a prepayment, kept as credit
    again = services.bill_void(bill=new, reason="再次更正", by=finance_a, reissue_amount="95.00")
    third = again.reissue
    third.refresh_from_db()
    assert third.number == f"{bill.number}-R2"
    assert third.amount_paid == Decimal("20.00")  # the credit went to the reissued bill
    assert_fee_invariants()


def test_void_refuses_bad_input_and_twice(estate_a, unit_a, finance_a):
    bill = make_bill(unit_a, "100.00")
    with pytest.raises(DomainError) as exc:
        services.bill_void(bill=bill, reason="", by=finance_a)
    assert exc.value.field == "reason"
    with pytest.raises(DomainError) as exc:
        services.bill_void(bill=bill, reason="x", by=finance_a, reissue_amount="-1")
    assert exc.value.field == "reissue_amount"
    with pytest.raises(DomainError) as exc:
        services.bill_void(bill=bill, reason="x", by=make_staff(estate_a, "front_desk"))
    assert exc.value.status == 403
    bill.refresh_from_db()
    assert bill.voided_at is None
    services.bill_void(bill=bill, reason="x", by=finance_a)
    with pytest.raises(DomainError) as exc:
        services.bill_void(bill=bill, reason="x", by=finance_a)
    assert exc.value.status == 409


def test_one_off_bill_is_idempotent_on_its_source(estate_a, unit_a):
    kwargs = dict(
        estate=estate_a,
        unit=unit_a,
        amount=Decimal("80.00"),
        kind="paid_service",
        description="疏通下水道",
        source_ref="WX2026110001",
    )
    first = services.bill_one_off_create(**kwargs)
    again = services.bill_one_off_create(**kwargs)
    assert again.pk == first.pk
    assert first.number == "HY01-PAID_SERVICE-WX2026110001"
    assert first.fee_item.code == "paid_service"
    assert Bill.objects.count() == 1


def test_one_off_bill_refuses_a_unit_of_another_estate_and_bad_kinds(estate_a, unit_a):
    other = make_unit(make_estate(code="ZZ03"), "1-1-101")
    base = dict(amount="10.00", description="", source_ref="X1")
    with pytest.raises(DomainError) as exc:
        services.bill_one_off_create(estate=estate_a, unit=other, kind="paid_service", **base)
    assert exc.value.field == "unit"
    with pytest.raises(DomainError) as exc:
        services.bill_one_off_create(estate=estate_a, unit=unit_a, kind="lottery", **base)
    assert exc.value.field == "kind"
    assert not Bill.objects.exists()


def test_deposit_refund_minus_penalty(estate_a, unit_a, finance_a):
    deposit = services.bill_one_off_create(
        estate=estate_a,
        unit=unit_a,
        amount=Decimal("2000.00"),
        kind="renovation_deposit",
        description="装修押金",
        source_ref="ZX-1",
    )
    with pytest.raises(DomainError) as exc:
        services.deposit_refund(bill=deposit, amount="2000.00", reason="", by=finance_a)
    assert exc.value.status == 409  # not paid yet
    pay(unit_a, "2000.00", finance_a, bills=[deposit.pk])
    with pytest.raises(DomainError) as exc:
        services.deposit_refund(bill=deposit, amount="1500.00", reason="", by=finance_a)
    assert exc.value.field == "reason"
    with pytest.raises(DomainError) as exc:
        services.deposit_refund(bill=deposit, amount="2500.00", reason="x", by=finance_a)
    assert exc.value.field == "amount"

    refund = services.deposit_refund(
        bill=deposit, amount="1500.00", reason="违章未整改", by=finance_a
    )
    assert (refund.amount, refund.penalty) == (Decimal("1500.00"), Decimal("500.00"))
    with pytest.raises(DomainError) as exc:
        services.deposit_refund(bill=deposit, amount="1.00", reason="x", by=finance_a)
    assert exc.value.status == 409
    assert_fee_invariants()


def test_credit_apply_pays_bills_that_were_open_when_credit_arrived(unit_a, finance_a):
    old = make_bill(unit_a, "100.00", due=dt.date(2026, 9, 15))
    new = make_bill(unit_a, "50.00", due=dt.date(2026, 11, 15))
    pay(unit_a, "120.00", finance_a, bills=[new.pk])
    assert _credit(unit_a) == Decimal("70.00")

    assert services.credit_apply(unit=unit_a, by=finance_a) == Decimal("70.00")
    old.refresh_from_db()
    assert old.amount_paid == Decimal("70.00")
    assert _credit(unit_a) == 0
    assert_fee_invariants()


def test_reminder_record(unit_a, finance_a):
    from django.utils import timezone

    reminder = services.reminder_record(
        unit=unit_a,
        channel="phone",
        by=finance_a,
        note="业主答应月底前缴清",
        promised_date=timezone.localdate() + dt.timedelta(days=10),
    )
    assert reminder.estate_id == unit_a.estate_id
    with pytest.raises(DomainError) as exc:
        services.reminder_record(unit=unit_a, channel="pigeon", by=finance_a)
    assert exc.value.field == "channel"


def test_receipt_numbers_follow_the_order_payments_are_taken(estate_a, finance_a):
    at = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)
    desk = make_staff(estate_a, "front_desk")
    units = [make_unit(estate_a, f"2-1-{i:03d}") for i in range(1, 5)]
    for unit in units:
        make_bill(unit, "100.00")
    taken = []
    for i in range(8):  # two cashiers, units taking turns
        by = finance_a if i % 2 else desk
        taken.append(pay(units[i % 4], "10.00", by, received_at=at + dt.timedelta(minutes=i)))
    numbers = [p.number for p in taken]
    assert numbers == sorted(numbers)
    assert numbers[0] == "HY01-SJ2026-000001" and numbers[-1] == "HY01-SJ2026-000008"
    # A repeated submission takes no number: the next payment follows on.
    again = pay(units[0], "10.00", desk, key="same", received_at=at)
    assert pay(units[0], "10.00", desk, key="same", received_at=at).number == again.number
    assert pay(units[1], "10.00", desk, received_at=at).number == "HY01-SJ2026-000010"

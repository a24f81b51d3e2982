"""Money under concurrency, on PostgreSQL with real threads."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection

from estate.errors import DomainError
from fees import services
from fees.models import Allocation, Bill, Payment
from tests.factories import make_estate, make_staff, make_unit
from tests.fees.factories import make_bill, make_fee_item
from tests.fees.invariants import assert_fee_invariants

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run(n: int, fn) -> list:
    barrier = threading.Barrier(n)
    results: list = []
    lock = threading.Lock()

    def worker():
        try:
            barrier.wait()
            out = fn()
        except Exception as exc:  # noqa: BLE001 - collected and asserted by the test
            out = exc
        finally:
            connection.close()
        with lock:
            results.append(out)

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_fifty_concurrent_submissions_with_one_key_record_one_payment():
    estate = make_estate(code="CC01")
    unit = make_unit(estate, "1-1-101")
    make_bill(unit, "100.00")
    finance = make_staff(estate, "finance")

    results = _run(
        50,
        lambda: (
            services.payment_record(
                unit=unit,
                amount=Decimal("80.00"),
                method="wechat",
                idempotency_key="retry-me",
                by=finance,
            ).pk
        ),
    )

    assert all(isinstance(r, int) for r in results), results
    assert len(set(results)) == 1
    assert Payment.objects.count() == 1
    assert Allocation.objects.count() == 1
    assert Bill.objects.get().amount_paid == Decimal("80.00")
    assert_fee_invariants()


def test_concurrent_different_payments_on_one_unit_never_over_pay():
    estate = make_estate(code="CC02")
    unit = make_unit(estate, "1-1-101")
    make_bill(unit, "100.00", due=dt.date(2026, 9, 15))
    make_bill(unit, "100.00", due=dt.date(2026, 10, 15))
    finance = make_staff(estate, "finance")
    keys = iter(range(20))
    key_lock = threading.Lock()

    def one():
        with key_lock:
            key = f"k{next(keys)}"
        return services.payment_record(
            unit=unit, amount=Decimal("15.00"), method="cash", idempotency_key=key, by=finance
        )

    results = _run(20, one)
    assert not [r for r in results if isinstance(r, Exception)]
    assert Payment.objects.count() == 20
    assert sorted(Bill.objects.values_list("amount_paid", flat=True)) == [
        Decimal("100.00"),
        Decimal("100.00"),
    ]
    assert_fee_invariants()


def test_two_concurrent_generations_create_each_bill_once():
    estate = make_estate(code="CC03")
    make_fee_item(estate, "PM", price="2.00")
    for i in range(40):
        make_unit(estate, f"1-1-{i + 101}")

    results = _run(2, lambda: services.bills_generate(estate=estate, period_label="2026-10"))

    assert sorted(results) == [0, 40]
    assert Bill.objects.count() == 40


def test_concurrent_reversals_of_one_payment_make_one_reversal():
    estate = make_estate(code="CC04")
    unit = make_unit(estate, "1-1-101")
    make_bill(unit, "100.00")
    finance = make_staff(estate, "finance")
    payment = services.payment_record(
        unit=unit, amount=Decimal("120.00"), method="cash", idempotency_key="p", by=finance
    )

    results = _run(10, lambda: services.payment_reverse(payment=payment, reason="错收", by=finance))

    assert len([r for r in results if not isinstance(r, Exception)]) == 1
    assert all(r.status == 409 for r in results if isinstance(r, DomainError))
    assert_fee_invariants()

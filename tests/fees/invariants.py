"""The money invariants of fees (fees/models.py), asserted over the whole database.

Every payment test ends with ``assert_fee_invariants()``. Sums are taken in Python with
Decimal, so SQLite's floating-point SUM cannot blur a fen."""

from collections import defaultdict
from decimal import Decimal

from fees.models import Allocation, Bill, Payment, UnitAccount


def assert_fee_invariants() -> None:
    by_bill: dict[int, Decimal] = defaultdict(Decimal)
    by_payment: dict[int, Decimal] = defaultdict(Decimal)
    by_unit: dict[int, Decimal] = defaultdict(Decimal)
    last_live: dict[int, object] = {}
    reversed_ids = set(Payment.objects.filter(reversal__isnull=False).values_list("pk", flat=True))
    for bill_id, payment_id, unit_id, amount, at, reversal_id in Allocation.objects.values_list(
        "bill_id", "payment_id", "payment__unit_id", "amount", "at", "reversal_id"
    ):
        by_bill[bill_id] += amount
        by_payment[payment_id] += amount
        by_unit[unit_id] -= amount
        if reversal_id is None and payment_id not in reversed_ids:
            last_live[bill_id] = max(at, last_live.get(bill_id, at))

    for bill in Bill.objects.only(
        "number", "amount_due", "amount_paid", "fully_paid_at", "voided_at"
    ):
        paid = bill.amount_paid
        # A bill's paid amount is the sum of its allocations, within 0..amount due.
        assert paid == by_bill[bill.pk], f"{bill.number}: paid {paid}, allocated {by_bill[bill.pk]}"
        assert 0 <= paid <= bill.amount_due, f"{bill.number}: paid {paid} of {bill.amount_due}"
        # Fully paid exactly when paid == due, at the latest moment live money reached it.
        if paid == bill.amount_due:
            assert bill.fully_paid_at == last_live.get(bill.pk), f"{bill.number}: fully_paid_at"
        else:
            assert bill.fully_paid_at is None, f"{bill.number}: fully paid but owes"
        # A voided bill has nothing paid on it.
        assert bill.voided_at is None or paid == 0, f"voided {bill.number} has {paid} paid"

    for payment_id, number, amount, unit_id in Payment.objects.values_list(
        "pk", "number", "amount", "unit_id"
    ):
        # A payment never allocates more than its amount; a reversed one nets to 0.
        allocated = by_payment[payment_id]
        assert 0 <= allocated <= amount, f"{number} allocates {allocated} of {amount}"
        if payment_id in reversed_ids:
            assert allocated == 0, f"reversed {number} still allocates {allocated}"
        else:
            by_unit[unit_id] += amount

    # A unit's credit = its payments - reversed payments - allocations.
    accounts = dict(UnitAccount.objects.values_list("unit_id", "credit"))
    for unit_id in set(by_unit) | set(accounts):
        credit = accounts.get(unit_id, Decimal("0"))
        assert credit == by_unit[unit_id], (
            f"unit {unit_id}: credit {credit}, ledger {by_unit[unit_id]}"
        )
        assert credit >= 0

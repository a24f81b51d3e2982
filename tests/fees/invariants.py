"""The money invariants of fees (fees/models.py), asserted over the whole database.

Every payment test ends with ``assert_fee_invariants()``."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import DecimalField, F, Max, Q, Sum, Value
from django.db.models.functions import Coalesce

from fees.models import Allocation, Bill, Payment, UnitAccount

ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=14, decimal_places=2))


def assert_fee_invariants() -> None:
    # A bill's paid amount is the sum of its allocations, within 0..amount due.
    bills = Bill.objects.annotate(allocated=Coalesce(Sum("allocations__amount"), ZERO))
    wrong = list(
        bills.exclude(amount_paid=F("allocated")).values("number", "amount_paid", "allocated")
    )
    assert not wrong, f"paid amount differs from its allocations: {wrong}"
    assert not Bill.objects.filter(
        Q(amount_paid__lt=0) | Q(amount_paid__gt=F("amount_due"))
    ).exists()
    # Fully paid exactly when paid == due, at the latest moment live money reached it.
    assert not Bill.objects.filter(fully_paid_at__isnull=True, amount_paid=F("amount_due")).exists()
    assert not Bill.objects.filter(
        fully_paid_at__isnull=False, amount_paid__lt=F("amount_due")
    ).exists()
    last = dict(
        Allocation.objects.filter(reversal__isnull=True, payment__reversal__isnull=True)
        .values("bill_id")
        .annotate(last=Max("at"))
        .values_list("bill_id", "last")
    )
    for bill in Bill.objects.filter(fully_paid_at__isnull=False):
        assert bill.fully_paid_at == last[bill.pk], (
            f"{bill.number}: fully_paid_at is not the last payment"
        )
    # A voided bill has nothing paid on it.
    assert not Bill.objects.filter(voided_at__isnull=False).exclude(amount_paid=0).exists()
    # A payment never allocates more than its amount; a reversed one nets to 0.
    for p in Payment.objects.annotate(
        allocated=Coalesce(Sum("allocations__amount"), ZERO)
    ).select_related("reversal"):
        assert 0 <= p.allocated <= p.amount, f"{p.number} allocates {p.allocated} of {p.amount}"
        if hasattr(p, "reversal"):
            assert p.allocated == 0, f"reversed {p.number} still allocates {p.allocated}"
    # A unit's credit = its payments - reversed payments - allocations.
    expected: dict[int, Decimal] = defaultdict(Decimal)
    for unit_id, amount, reversed_ in Payment.objects.values_list(
        "unit_id", "amount", "reversal__id"
    ):
        if reversed_ is None:
            expected[unit_id] += amount
    for unit_id, amount in Allocation.objects.values_list("payment__unit_id", "amount"):
        expected[unit_id] -= amount
    accounts = dict(UnitAccount.objects.values_list("unit_id", "credit"))
    for unit_id in set(expected) | set(accounts):
        got = accounts.get(unit_id, Decimal("0"))
        assert got == expected[unit_id], f"unit {unit_id}: credit {got}, ledger {expected[unit_id]}"
        assert got >= 0

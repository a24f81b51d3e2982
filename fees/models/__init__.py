"""Fee collection (费用收缴): fee items and their prices, meter readings, bills, payments and
the ledger that ties them together.

The money invariants, kept by fees.services and checked in the database where one row
suffices (CheckConstraint) and by ``tests/fees/invariants.assert_fee_invariants`` where they
span rows:

- a bill's ``amount_paid`` is the sum of its allocations and never exceeds ``amount_due``;
- a bill is fully paid (``fully_paid_at`` set) exactly when ``amount_paid == amount_due``;
- a voided bill has nothing paid on it;
- a payment's allocations never exceed its amount; a reversed payment's net allocations are 0;
- a unit's credit balance equals its payments, minus reversed payments, minus allocations.

A posted payment is never edited or deleted: a reversal is a new row with a reason, and it
adds negative allocations that undo the payment's allocations.
"""

from fees.models.catalogue import (
    MONEY,
    BillingRun,
    FeeAssignment,
    FeeItem,
    FeePrice,
    MeterReading,
    OneOffKind,
)
from fees.models.ledger import (
    Allocation,
    Bill,
    DepositRefund,
    Payment,
    Reminder,
    Reversal,
    UnitAccount,
)
from fees.models.setup import DEFAULT_RECEIPT_COPIES, FinanceSettings

__all__ = [
    "MONEY",
    "Allocation",
    "Bill",
    "BillingRun",
    "DEFAULT_RECEIPT_COPIES",
    "DepositRefund",
    "FeeAssignment",
    "FeeItem",
    "FeePrice",
    "FinanceSettings",
    "MeterReading",
    "OneOffKind",
    "Payment",
    "Reminder",
    "Reversal",
    "UnitAccount",
]

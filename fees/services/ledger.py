"""The money moves every fees service shares: checked amounts, the unit lock, allocation of
money to bills, credit consumption and document numbers.

Lock order, everywhere: the unit's account row, then document counters, then bills. Every
service that moves a unit's money takes that account row first, so two cashiers working on
one unit take turns and no two transactions wait on each other in opposite orders.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db.models import DecimalField, F, Max, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from estate.errors import DomainError
from estate.models import Estate, Unit
from fees.models import Allocation, Bill, NumberSequence, Payment, UnitAccount

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")


def money(value: Decimal) -> Decimal:
    """Half-up to the fen (分), the one rounding rule of every amount."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def clean_amount(value, *, field: str = "amount", allow_zero: bool = False) -> Decimal:
    """A positive CNY amount with at most 2 decimals (``"1234.56"``, ``Decimal``, ``int``)."""
    if value is None or isinstance(value, bool) or str(value).strip() == "":
        raise DomainError("invalid", _("Enter an amount, e.g. 1234.56."), field=field)
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise DomainError("invalid", _("Enter an amount, e.g. 1234.56."), field=field) from None
    if not amount.is_finite():
        raise DomainError("invalid", _("Enter an amount, e.g. 1234.56."), field=field)
    if amount < 0 or (amount == 0 and not allow_zero):
        raise DomainError("invalid", _("The amount must be more than 0."), field=field)
    if amount != amount.quantize(CENT):
        raise DomainError(
            "invalid", _("An amount has at most 2 decimals (yuan and fen)."), field=field
        )
    if amount > MAX_AMOUNT:
        raise DomainError("invalid", _("The amount is too large."), field=field)
    return amount.quantize(CENT)


def lock_account(unit: Unit) -> UnitAccount:
    """The unit's account row, created on first use and locked for this transaction."""
    UnitAccount.objects.bulk_create(
        [UnitAccount(unit_id=unit.pk, estate_id=unit.estate_id)], ignore_conflicts=True
    )
    return UnitAccount.objects.select_for_update().get(unit_id=unit.pk)


def next_number(estate: Estate, prefix: str, year: int) -> str:
    """``HY01-SJ2026-000123``: readable, unique, gap-free in normal operation."""
    name = f"{prefix}{year}"
    NumberSequence.objects.bulk_create(
        [NumberSequence(estate=estate, name=name, value=0)], ignore_conflicts=True
    )
    seq = NumberSequence.objects.filter(estate=estate, name=name)
    seq.update(value=F("value") + 1)
    value = seq.values_list("value", flat=True).get()
    return f"{estate.code}-{name}-{value:06d}"


def open_bills_locked(unit: Unit) -> list[Bill]:
    """The unit's unpaid, not voided bills, oldest due first, locked."""
    return list(
        Bill.objects.select_for_update()
        .filter(unit_id=unit.pk, voided_at__isnull=True, amount_paid__lt=F("amount_due"))
        .order_by("due_date", "period_start", "id")
    )


def allocate(*, payment: Payment, bills: list[Bill], amount: Decimal, at: dt.datetime) -> Decimal:
    """Apply up to ``amount`` of the payment to the (locked) bills in order; returns what is
    left over. A bill that becomes fully paid takes the latest moment money reached it."""
    remaining = amount
    made: list[Allocation] = []
    touched: list[Bill] = []
    for bill in bills:
        if remaining <= 0:
            break
        take = min(remaining, bill.outstanding)
        if take <= 0:
            continue
        bill.amount_paid += take
        remaining -= take
        made.append(
            Allocation(estate_id=bill.estate_id, payment=payment, bill=bill, amount=take, at=at)
        )
        touched.append(bill)
    Allocation.objects.bulk_create(made)
    for bill in touched:
        if bill.amount_paid == bill.amount_due:
            bill.fully_paid_at = Allocation.objects.filter(
                bill=bill, reversal__isnull=True, payment__reversal__isnull=True
            ).aggregate(last=Max("at"))["last"]
        bill.save(update_fields=["amount_paid", "fully_paid_at", "updated_at"])
    return remaining


def credit_consume(*, account: UnitAccount, unit: Unit, at: dt.datetime | None = None) -> Decimal:
    """Use the unit's credit for its open bills, oldest first; returns the amount used.

    Credit is the unallocated rest of the unit's payments, so it is spent from those payments,
    earliest first: a later reversal of one of them undoes exactly what it paid."""
    if account.credit <= 0:
        return Decimal("0.00")
    bills = open_bills_locked(unit)
    if not bills:
        return Decimal("0.00")
    at = at or timezone.now()
    zero = Value(Decimal("0"), output_field=DecimalField(max_digits=12, decimal_places=2))
    payments = (
        Payment.objects.filter(unit_id=unit.pk, reversal__isnull=True)
        .annotate(used=Coalesce(Sum("allocations__amount"), zero))
        .filter(used__lt=F("amount"))
        .order_by("received_at", "id")
    )
    used = Decimal("0.00")
    for payment in payments:
        free = min(payment.amount - payment.used, account.credit - used)
        if free <= 0:
            break
        rest = allocate(payment=payment, bills=bills, amount=free, at=at)
        used += free - rest
        if rest > 0:
            break
    if used:
        account.credit -= used
        account.save(update_fields=["credit", "updated_at"])
    return used

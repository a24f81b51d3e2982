"""Every write that moves money: payments, reversals, voids and reissues, one-off bills,
deposit refunds, credit."""

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from estate import kpi_selectors
from estate.errors import DomainError
from estate.localtime import local_date
from estate.models import Estate, Unit
from estate.scoping import require
from estate.validators import check_payment_time, clean_text
from fees import permissions as perm
from fees.models import (
    Allocation,
    Bill,
    DepositRefund,
    FeeItem,
    FinanceSettings,
    OneOffKind,
    Payment,
    Reversal,
)
from fees.services.ledger import (
    allocate,
    clean_amount,
    credit_consume,
    lock_account,
    next_number,
    open_bills_locked,
)

ONE_OFF_DUE_DAYS = 15


def _clean_key(value: str | None) -> str:
    key = (value or "").strip()
    if not key:
        raise DomainError("invalid", _("An idempotency key is required."), field="idempotency_key")
    if len(key) > 64:
        raise DomainError(
            "invalid", _("An idempotency key has at most 64 characters."), field="idempotency_key"
        )
    return key


def _clean_received_at(value: dt.datetime | None, estate: Estate) -> dt.datetime:
    """When the money was taken: now when not given; otherwise the shared window of
    ``estate.validators.check_payment_time`` (2000-2100, never in the future beyond a few
    minutes of clock skew, never before the books open: FinanceSettings' date, else the
    estate's first billing period)."""
    now = timezone.now()
    if value is None:
        return now
    if not isinstance(value, dt.datetime) or timezone.is_naive(value):
        raise DomainError("invalid", _("Give a time with its time zone."), field="received_at")
    books_open = FinanceSettings.of(estate).books_open_on
    if books_open is None:  # not set: the books open with the estate's first billing period
        books_open = Bill.objects.filter(estate=estate).aggregate(day=Min("period_start"))["day"]
    return check_payment_time(
        value, now=now, books_open=books_open, estate=estate, field="received_at"
    )


def _replay(existing: Payment, *, unit: Unit, amount: Decimal) -> Payment:
    """A repeated submission gets the first payment back; the same key for a different
    payment is a client error, not a silent second payment."""
    if existing.unit_id != unit.pk or existing.amount != amount:
        raise DomainError(
            "conflict",
            _("This idempotency key was already used for a different payment."),
            field="idempotency_key",
        )
    return existing


def _chosen_bills(unit: Unit, bills: list) -> list[Bill]:
    ids: list[int] = []
    for item in bills:
        try:
            pk = int(item.pk if isinstance(item, Bill) else item)
        except (TypeError, ValueError):
            raise DomainError(
                "invalid", _("Unknown bill %(b)s.") % {"b": item}, field="bills"
            ) from None
        if pk in ids:
            raise DomainError("invalid", _("A bill is listed twice."), field="bills")
        ids.append(pk)
    found = {b.pk: b for b in Bill.objects.select_for_update().filter(pk__in=ids)}
    chosen = []
    for pk in ids:
        bill = found.get(pk)
        if bill is None or bill.estate_id != unit.estate_id:
            raise DomainError("invalid", _("Unknown bill %(b)s.") % {"b": pk}, field="bills")
        if bill.unit_id != unit.pk:
            raise DomainError(
                "invalid",
                _("Bill %(b)s is not a bill of unit %(u)s.") % {"b": bill.number, "u": unit},
                field="bills",
            )
        if bill.voided_at is not None:
            raise DomainError(
                "invalid", _("Bill %(b)s is voided.") % {"b": bill.number}, field="bills"
            )
        if bill.outstanding <= 0:
            raise DomainError(
                "invalid", _("Bill %(b)s is already paid.") % {"b": bill.number}, field="bills"
            )
        chosen.append(bill)
    return chosen


@transaction.atomic
def payment_record(
    *,
    unit: Unit,
    amount,
    method: str,
    received_at: dt.datetime | None = None,
    payer: str = "",
    reference: str = "",
    idempotency_key: str,
    bills: list | None = None,
    by,
) -> Payment:
    """Record money received from a unit and apply it to its bills.

    ``bills`` chooses the bills to pay, in order; without it the unit's open bills are paid
    oldest due first. Partial payment leaves the last bill partly paid; whatever is left over
    becomes the unit's credit, used by its next bills. A repeated ``idempotency_key`` returns
    the first payment (concurrent repeats included) and records nothing."""
    estate = unit.estate
    require(by, estate, perm.PAYMENT_RECORD)
    key = _clean_key(idempotency_key)
    amount = clean_amount(amount)
    if method not in Payment.Method.values:
        raise DomainError("invalid", _("Unknown payment method."), field="method")
    payer = clean_text(payer, field="payer", max_length=50)
    reference = clean_text(reference, field="reference", max_length=64)
    received_at = _clean_received_at(received_at, estate)

    existing = Payment.objects.filter(estate=estate, idempotency_key=key).first()
    if existing is not None:
        return _replay(existing, unit=unit, amount=amount)
    account = lock_account(unit)
    existing = Payment.objects.filter(estate=estate, idempotency_key=key).first()
    if existing is not None:
        return _replay(existing, unit=unit, amount=amount)
    chosen = _chosen_bills(unit, bills) if bills is not None else None
    if kpi_selectors.month_is_frozen(estate, received_at):
        # A frozen month's rates no longer change; money dated into it would leave them and
        # the books apart. Only a finance manager could allow that with a reason, and the
        # roles have none: refuse, naming the date.
        raise DomainError(
            "invalid",
            _(
                "%(month)s is closed (its rates are frozen): a payment cannot be dated into "
                "it. Record it with today's date, or ask a manager to reopen the month."
            )
            % {"month": local_date(received_at, estate).strftime("%Y-%m")},
            field="received_at",
        )

    payment = Payment(
        estate=estate,
        unit=unit,
        number=next_number(estate, "SJ", local_date(received_at, estate).year),
        amount=amount,
        method=method,
        payer=payer,
        reference=reference,
        received_at=received_at,
        idempotency_key=key,
        created_by=by,
    )
    try:
        with transaction.atomic():
            payment.save()
    except IntegrityError:
        # The same key for another unit, committed by a concurrent request meanwhile.
        existing = Payment.objects.filter(estate=estate, idempotency_key=key).first()
        if existing is None:
            raise
        return _replay(existing, unit=unit, amount=amount)

    targets = chosen if chosen is not None else open_bills_locked(unit)
    left = allocate(payment=payment, bills=targets, amount=amount, at=received_at)
    if left:
        account.credit += left
        account.save(update_fields=["credit", "updated_at"])
    return payment


@transaction.atomic
def payment_reverse(*, payment: Payment, reason: str, by) -> Reversal:
    """Undo a posted payment with a new entry (冲正): its allocations are cancelled by negative
    ones, its bills are owed again and its unspent part leaves the credit balance."""
    require(by, payment.estate_id, perm.PAYMENT_REVERSE)
    reason = clean_text(reason, field="reason", max_length=200, required=True)
    account = lock_account(payment.unit)
    if Reversal.objects.filter(payment_id=payment.pk).exists():
        raise DomainError(
            "invalid_transition", _("This payment is already reversed."), field="payment"
        )
    estate = Estate.objects.get(pk=payment.estate_id)
    reversal = Reversal.objects.create(
        estate=estate,
        payment=payment,
        number=next_number(estate, "CZ", local_date(timezone.now(), estate).year),
        reason=reason,
        created_by=by,
    )
    allocations = list(payment.allocations.filter(reversal__isnull=True))
    bills = {
        b.pk: b
        for b in Bill.objects.select_for_update().filter(pk__in=[a.bill_id for a in allocations])
    }
    now = timezone.now()
    undo = []
    allocated = Decimal("0.00")
    for alloc in allocations:
        bill = bills[alloc.bill_id]
        bill.amount_paid -= alloc.amount
        bill.fully_paid_at = None
        allocated += alloc.amount
        undo.append(
            Allocation(
                estate=estate,
                payment=payment,
                bill=bill,
                reversal=reversal,
                amount=-alloc.amount,
                at=now,
            )
        )
    Allocation.objects.bulk_create(undo)
    for bill in bills.values():
        bill.save(update_fields=["amount_paid", "fully_paid_at", "updated_at"])
    unspent = payment.amount - allocated
    if unspent:
        account.credit -= unspent
        account.save(update_fields=["credit", "updated_at"])
    return reversal


def _reissue_number(bill: Bill) -> str:
    root = bill.number if bill.revision == 0 else bill.number.rsplit("-R", 1)[0]
    return f"{root}-R{bill.revision + 1}"


@transaction.atomic
def bill_void(*, bill: Bill, reason: str, by, reissue_amount=None) -> Bill:
    """Void a wrong bill with a reason and, with ``reissue_amount``, issue its correction (the
    new bill is ``voided.reissue``). A bill with money on it is refused until the payments are
    reversed: money is never silently moved."""
    require(by, bill.estate_id, perm.BILL_VOID)
    reason = clean_text(reason, field="reason", max_length=200, required=True)
    if reissue_amount is not None:
        reissue_amount = clean_amount(reissue_amount, field="reissue_amount")
    account = lock_account(bill.unit)
    bill = Bill.objects.select_for_update().get(pk=bill.pk)
    if bill.voided_at is not None:
        raise DomainError("invalid_transition", _("This bill is already voided."), field="bill")
    if bill.amount_paid > 0:
        raise DomainError(
            "conflict",
            _("This bill has payments; reverse them before voiding it."),
            field="bill",
        )
    now = timezone.now()
    bill.voided_at = now
    bill.void_reason = reason
    bill.voided_by = by
    bill.save(update_fields=["voided_at", "void_reason", "voided_by", "updated_at"])
    if reissue_amount is not None:
        Bill.objects.create(
            estate_id=bill.estate_id,
            unit_id=bill.unit_id,
            fee_item_id=bill.fee_item_id,
            number=_reissue_number(bill),
            period=bill.period,
            period_start=bill.period_start,
            period_end=bill.period_end,
            quantity=bill.quantity,
            unit_price=bill.unit_price,
            amount_due=reissue_amount,
            due_date=bill.due_date,
            issued_at=now,
            reissue_of=bill,
            revision=bill.revision + 1,
            source_ref=bill.source_ref,
            description=bill.description,
            created_by=by,
        )
        credit_consume(account=account, unit=bill.unit, at=now)
    return bill


def _one_off_item(estate: Estate, kind: str) -> FeeItem:
    FeeItem.objects.bulk_create(
        [
            FeeItem(
                estate=estate,
                code=kind,
                name=str(OneOffKind(kind).label),
                basis=FeeItem.Basis.ONE_OFF,
            )
        ],
        ignore_conflicts=True,
    )
    return FeeItem.objects.get(estate=estate, code=kind)


def _one_off_existing(estate: Estate, kind: str, source_ref: str) -> Bill | None:
    return Bill.objects.filter(
        estate=estate, fee_item__code=kind, source_ref=source_ref, reissue_of__isnull=True
    ).first()


@transaction.atomic
def bill_one_off_create(
    *,
    estate: Estate,
    unit: Unit,
    amount: Decimal,
    kind: str,
    description: str,
    source_ref: str,
    by=None,
) -> Bill:
    """A one-off bill: a special paid service (特约服务) of a closed repair ticket, a renovation
    deposit... Idempotent on ``source_ref``: a second call returns the first bill. Called by
    other modules' services on behalf of their own permission checks, so it checks no role."""
    if unit.estate_id != estate.pk:
        raise DomainError("invalid", _("This unit belongs to another estate."), field="unit")
    amount = clean_amount(amount)
    if kind not in OneOffKind.values:
        raise DomainError("invalid", _("Unknown kind of one-off charge."), field="kind")
    source_ref = clean_text(source_ref, field="source_ref", max_length=64, required=True)
    description = clean_text(description, field="description", max_length=200)
    existing = _one_off_existing(estate, kind, source_ref)
    if existing is not None:
        return existing
    item = _one_off_item(estate, kind)
    account = lock_account(unit)
    existing = _one_off_existing(estate, kind, source_ref)
    if existing is not None:
        return existing
    now = timezone.now()
    today = local_date(now, estate)
    start = today.replace(day=1)
    bill = Bill(
        estate=estate,
        unit=unit,
        fee_item=item,
        number=f"{estate.code}-{kind.upper()}-{source_ref}",
        period=f"{start:%Y-%m}",
        period_start=start,
        period_end=(start + dt.timedelta(days=32)).replace(day=1),
        quantity=Decimal("1.00"),
        unit_price=amount,
        amount_due=amount,
        due_date=today + dt.timedelta(days=ONE_OFF_DUE_DAYS),
        issued_at=now,
        source_ref=source_ref,
        description=description,
        created_by=by,
    )
    try:
        with transaction.atomic():
            bill.save()
    except IntegrityError:
        existing = _one_off_existing(estate, kind, source_ref)
        if existing is None:
            raise DomainError(
                "conflict", _("A bill with this number already exists."), field="source_ref"
            ) from None
        return existing
    credit_consume(account=account, unit=unit, at=now)
    return bill


@transaction.atomic
def deposit_refund(*, bill: Bill, amount, reason: str, by) -> DepositRefund:
    """Refund a paid deposit, minus a penalty (the paid amount less ``amount``) — e.g. a
    renovation deposit after acceptance, with a penalty for a violation not rectified."""
    require(by, bill.estate_id, perm.DEPOSIT_REFUND)
    amount = clean_amount(amount, allow_zero=True)
    reason = clean_text(reason, field="reason", max_length=200)
    lock_account(bill.unit)
    bill = Bill.objects.select_for_update().select_related("fee_item").get(pk=bill.pk)
    if bill.fee_item.code != OneOffKind.RENOVATION_DEPOSIT:
        raise DomainError("invalid", _("Only a deposit can be refunded."), field="bill")
    if bill.voided_at is not None or bill.amount_paid < bill.amount_due:
        raise DomainError("conflict", _("Only a fully paid deposit can be refunded."), field="bill")
    if amount > bill.amount_paid:
        raise DomainError(
            "invalid", _("The refund cannot exceed the deposit paid."), field="amount"
        )
    penalty = bill.amount_paid - amount
    if penalty and not reason:
        raise DomainError("invalid", _("Say why part of the deposit is withheld."), field="reason")
    if DepositRefund.objects.filter(bill=bill).exists():
        raise DomainError(
            "invalid_transition", _("This deposit is already refunded."), field="bill"
        )
    return DepositRefund.objects.create(
        estate_id=bill.estate_id,
        bill=bill,
        amount=amount,
        penalty=penalty,
        reason=reason,
        created_by=by,
    )


@transaction.atomic
def credit_apply(*, unit: Unit, by) -> Decimal:
    """Spend the unit's credit on its open bills now, oldest first; returns the amount used.
    (New bills use credit by themselves; this is for bills that were open when it arrived.)"""
    require(by, unit.estate_id, perm.PAYMENT_RECORD)
    account = lock_account(unit)
    return credit_consume(account=account, unit=unit)

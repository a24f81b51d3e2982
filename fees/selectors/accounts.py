"""A unit's account and the cashier desk: units found as the cashier types, open bills,
payments with their allocations, the credit, the statement, the primary contact; and the
unit or payment a page works on."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from estate import localtime
from estate.models import Estate, Unit
from estate.scoping import for_user
from estate.selectors import in_natural_order
from fees.models import Allocation, Bill, Payment, UnitAccount
from fees.selectors.common import MONEY_FIELD, ZERO


def unit_for_page(*, user, unit_id: int) -> Unit:
    """The unit of a URL with its estate and building; 404 outside the user's estates."""
    return get_object_or_404(for_user(Unit, user).select_related("estate", "building"), pk=unit_id)


def payment_for_page(*, user, payment_id: int) -> Payment:
    """The payment of a URL with what its receipt shows; 404 outside the user's estates."""
    return get_object_or_404(
        for_user(Payment, user).select_related(
            "estate", "unit", "created_by", "reversal", "reversal__created_by"
        ),
        pk=payment_id,
    )


def desk_today(*, estate: Estate, user) -> dict:
    """What this cashier received today (local day of the estate): the latest ten payments,
    their count and total; two queries."""
    start = localtime.day_start(localtime.today(estate), estate)
    qs = Payment.objects.filter(
        estate=estate, created_by=user, received_at__gte=start, reversal__isnull=True
    )
    totals = qs.aggregate(count=Count("id"), amount=Coalesce(Sum("amount"), ZERO))
    latest = list(qs.select_related("unit").order_by("-received_at", "-id")[:10])
    return {"latest": latest, **totals}


def payment_list(
    *,
    user,
    estate: Estate | None = None,
    unit_id: int | None = None,
    received_from: dt.date | None = None,
    received_to: dt.date | None = None,
) -> QuerySet[Payment]:
    """Payments the user may see, newest first; ``received_*`` are local dates, ``_to``
    exclusive."""
    qs = for_user(Payment, user).select_related("estate", "unit", "reversal", "created_by")
    if estate is not None:
        qs = qs.filter(estate=estate)
    if unit_id is not None:
        qs = qs.filter(unit_id=unit_id)
    tz = estate.tz if estate is not None else None
    if received_from:
        qs = qs.filter(received_at__gte=localtime.day_start(received_from, tz))
    if received_to:
        qs = qs.filter(received_at__lt=localtime.day_start(received_to, tz))
    return qs.order_by("-received_at", "-id")


def payment_allocations(payment: Payment) -> list[Allocation]:
    return list(
        payment.allocations.filter(reversal__isnull=True)
        .select_related("bill", "bill__fee_item")
        .order_by("bill__due_date", "bill_id")
    )


def unit_credit(unit: Unit) -> Decimal:
    credit = UnitAccount.objects.filter(unit=unit).values_list("credit", flat=True).first()
    return credit if credit is not None else Decimal("0.00")


def cashier_units(*, user, estate: Estate, q: str, limit: int = 20) -> list[Unit]:
    """Units matching what the cashier typed: the unit number (or its beginning), or a current
    resident's name, full mobile number (blind index) or its last four digits (the residents'
    search, residents/selectors.py), in natural order of their numbers. Each with ``owed``
    (open bills) and ``contact`` (its primary contact, phone masked); two queries."""
    from residents.models import Occupancy
    from residents.selectors import live_residents, search_condition

    owed = ExpressionWrapper(
        F("bills__amount_due") - F("bills__amount_paid"), output_field=MONEY_FIELD
    )
    is_open = Q(bills__voided_at__isnull=True, bills__amount_paid__lt=F("bills__amount_due"))
    q = (q or "").strip()
    qs = for_user(Unit, user).filter(estate=estate).select_related("estate", "building")
    if q:
        by_resident = search_condition(q)
        residents = live_residents(estate=estate).filter(by_resident).values("pk")
        lives_there = Occupancy.objects.filter(
            unit=OuterRef("pk"), ended_on__isnull=True, resident__in=residents
        )
        qs = qs.filter(Q(number__startswith=q) | Q(number__icontains=q) | Exists(lives_there))
    # In natural order (2-1-102 before 2-1-1001), as the front desk's search lists them.
    units = in_natural_order(
        qs.annotate(owed=Coalesce(Sum(owed, filter=is_open), ZERO)), limit=limit
    )
    contacts = primary_contacts([u.pk for u in units])
    for unit in units:
        unit.contact = contacts.get(unit.pk)
    return units


def unit_bills(unit: Unit) -> QuerySet[Bill]:
    """Every bill of the unit, voided ones included, newest due first."""
    return (
        Bill.objects.filter(unit=unit)
        .select_related("fee_item", "reissue_of", "voided_by")
        .order_by("-due_date", "-id")
    )


def unit_payments(unit: Unit) -> QuerySet[Payment]:
    """Every payment of the unit with its live allocations and its reversal, newest first."""
    return (
        Payment.objects.filter(unit=unit)
        .select_related("reversal", "reversal__created_by", "created_by")
        .prefetch_related(
            Prefetch(
                "allocations",
                queryset=Allocation.objects.filter(reversal__isnull=True)
                .select_related("bill", "bill__fee_item")
                .order_by("bill__due_date", "bill_id"),
                to_attr="live_allocations",
            )
        )
        .order_by("-received_at", "-id")
    )


@dataclass(frozen=True)
class StatementLine:
    at: dt.datetime
    kind: str  # "bill", "void", "payment", "reversal"
    number: str
    text: str
    charge: Decimal  # what the unit owes more (a bill, a reversed payment)
    credit: Decimal  # what it owes less (a payment, a voided bill)
    balance: Decimal = Decimal("0.00")


def unit_statement(*, unit: Unit, start: dt.date | None = None, end: dt.date | None = None) -> dict:
    """The unit's account in date order (对账单): bills charged, bills voided, payments and
    reversals, with a running balance (positive: owed; negative: credit). ``end`` exclusive.

    The closing balance over all time equals what the open bills owe minus the credit."""
    tz = unit.estate.tz
    lines: list[StatementLine] = []
    zero = Decimal("0.00")
    for bill in Bill.objects.filter(unit=unit).select_related("fee_item"):
        text = f"{bill.fee_item.name} {bill.period}"
        lines.append(
            StatementLine(bill.issued_at, "bill", bill.number, text, bill.amount_due, zero)
        )
        if bill.voided_at is not None:
            lines.append(
                StatementLine(
                    bill.voided_at, "void", bill.number, bill.void_reason, zero, bill.amount_due
                )
            )
    for payment in Payment.objects.filter(unit=unit).select_related("reversal"):
        text = payment.get_method_display()
        lines.append(
            StatementLine(
                payment.received_at, "payment", payment.number, text, zero, payment.amount
            )
        )
        reversal = getattr(payment, "reversal", None)
        if reversal is not None:
            lines.append(
                StatementLine(
                    reversal.created_at,
                    "reversal",
                    reversal.number,
                    reversal.reason,
                    payment.amount,
                    zero,
                )
            )
    lines.sort(key=lambda line: (line.at, line.kind != "bill", line.number))
    low = localtime.day_start(start, tz) if start else None
    high = localtime.day_start(end, tz) if end else None
    opening, balance, shown = zero, zero, []
    for line in lines:
        balance += line.charge - line.credit
        if low is not None and line.at < low:
            opening = balance
        elif high is None or line.at < high:
            shown.append(StatementLine(**{**line.__dict__, "balance": balance}))
    closing = shown[-1].balance if shown else opening
    return {
        "opening": opening,
        "lines": shown,
        "closing": closing,
        "charged": sum((line.charge for line in shown), zero),
        "credited": sum((line.credit for line in shown), zero),
    }


def open_bills(unit: Unit) -> QuerySet[Bill]:
    """What the unit owes now, oldest due first."""
    return (
        Bill.objects.filter(unit=unit, voided_at__isnull=True, amount_paid__lt=F("amount_due"))
        .select_related("fee_item")
        .order_by("due_date", "period_start", "id")
    )


def primary_contacts(unit_ids) -> dict:
    """{unit id: Resident} of the units' current primary contacts, one query."""
    from residents.models import Occupancy

    return {
        o.unit_id: o.resident
        for o in Occupancy.objects.filter(
            unit_id__in=list(unit_ids), is_primary=True, ended_on__isnull=True
        ).select_related("resident")
    }

"""Every read of fees that is more than a get: bill lists and cohorts, arrears ageing, units to
remind, statements. Aggregates run in the database."""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncDate

from estate.kpi import Period
from estate.models import Estate, Unit
from estate.scoping import for_user
from estate.selectors import unit_search
from fees.models import Allocation, Bill, FeeItem, MeterReading, Payment, Reminder, UnitAccount

MONEY_FIELD = DecimalField(max_digits=14, decimal_places=2)
ZERO = Value(Decimal("0.00"), output_field=MONEY_FIELD)
OUTSTANDING = ExpressionWrapper(F("amount_due") - F("amount_paid"), output_field=MONEY_FIELD)

# Ageing buckets: (key, fewest days past due, most days past due or None).
AGE_BUCKETS = [
    ("d0_30", 1, 30),
    ("d31_90", 31, 90),
    ("d91_180", 91, 180),
    ("over_180", 181, None),
]
REMIND_QUIET_DAYS = 7


@dataclass(frozen=True)
class BillFilters:
    """The bill list's filters. Dates are local to the estate; every ``_to`` is exclusive."""

    due_from: dt.date | None = None
    due_to: dt.date | None = None
    issued_from: dt.date | None = None
    issued_to: dt.date | None = None
    voided: bool | None = None  # pages only: True voided, False not voided
    paid: str = ""  # pages only: "on_time", "judged" (the timely rate's parts), "open"
    status: str = ""  # pages only: a key of BILL_STATUS
    unit: str = ""  # pages only: a unit number, or a building / entrance ("3", "3-2")


# A bill's state as the pages show it; every bill is in exactly one.
BILL_STATUS = {
    "paid": Q(voided_at__isnull=True, fully_paid_at__isnull=False),
    "partial": Q(voided_at__isnull=True, fully_paid_at__isnull=True, amount_paid__gt=0),
    "unpaid": Q(voided_at__isnull=True, amount_paid=0),
    "voided": Q(voided_at__isnull=False),
}


def unit_number_q(value: str, prefix: str = "unit__number") -> Q:
    """The unit itself, or every unit of a building or entrance: "3-2" finds 3-2-1501."""
    value = value.strip().rstrip("-")
    return Q(**{prefix: value}) | Q(**{f"{prefix}__startswith": f"{value}-"})


def bill_list(
    *, user, estate: Estate | None = None, filters: BillFilters | None = None, today=None
) -> QuerySet[Bill]:
    """Bills the user may see, filtered; the same rows back the API, the bills page and the
    rates' drill-down links."""
    f = filters or BillFilters()
    qs = for_user(Bill, user).select_related("estate", "unit", "fee_item")
    if estate is not None:
        qs = qs.filter(estate=estate)
    tz = estate.tz if estate is not None else None
    if f.due_from:
        qs = qs.filter(due_date__gte=f.due_from)
    if f.due_to:
        qs = qs.filter(due_date__lt=f.due_to)
    if f.issued_from:
        qs = qs.filter(issued_at__gte=_local_midnight(f.issued_from, tz))
    if f.issued_to:
        qs = qs.filter(issued_at__lt=_local_midnight(f.issued_to, tz))
    if f.voided is not None:
        qs = qs.filter(voided_at__isnull=not f.voided)
    if f.paid == "on_time":
        qs = qs.annotate(paid_date=TruncDate("fully_paid_at", tzinfo=tz or _default_tz())).filter(
            fully_paid_at__isnull=False, paid_date__lte=F("due_date")
        )
    elif f.paid == "judged":
        today = today or _today(tz)
        qs = qs.filter(Q(fully_paid_at__isnull=False) | Q(due_date__lt=today))
    elif f.paid == "open":
        qs = qs.filter(voided_at__isnull=True, amount_paid__lt=F("amount_due"))
    if f.status:
        qs = qs.filter(BILL_STATUS[f.status])
    if f.unit.strip():
        qs = qs.filter(unit_number_q(f.unit))
    return qs.order_by("due_date", "id")


def _default_tz():
    from django.utils import timezone

    return timezone.get_default_timezone()


def _local_midnight(day: dt.date, tz) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=tz or _default_tz())


def _today(tz) -> dt.date:
    from django.utils import timezone

    return timezone.localtime(timezone.now(), tz or _default_tz()).date()


def bill_detail(*, user, bill_id: int) -> Bill:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        for_user(Bill, user).select_related("estate", "unit", "fee_item", "reissue_of"),
        pk=bill_id,
    )


def payment_list(*, user, estate: Estate | None = None, unit: Unit | None = None) -> QuerySet:
    qs = for_user(Payment, user).select_related("estate", "unit", "reversal", "created_by")
    if estate is not None:
        qs = qs.filter(estate=estate)
    if unit is not None:
        qs = qs.filter(unit=unit)
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
    """Units matching what the cashier typed, each with ``owed`` (open bills), one query."""
    owed = ExpressionWrapper(
        F("bills__amount_due") - F("bills__amount_paid"), output_field=MONEY_FIELD
    )
    is_open = Q(bills__voided_at__isnull=True, bills__amount_paid__lt=F("bills__amount_due"))
    return list(
        unit_search(user=user, estate=estate, q=q).annotate(
            owed=Coalesce(Sum(owed, filter=is_open), ZERO)
        )[:limit]
    )


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
    low = _local_midnight(start, tz) if start else None
    high = _local_midnight(end, tz) if end else None
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


def meter_sheet(
    *, estate: Estate, fee_item: FeeItem, period_label: str, building_id: int | None = None
) -> QuerySet[Unit]:
    """One row per unit for entering a metered item's readings of a period: ``previous`` (the
    latest reading before it), ``current`` (this period's, if entered) and ``billed``."""
    readings = MeterReading.objects.filter(unit=OuterRef("pk"), fee_item=fee_item)
    qs = Unit.objects.filter(estate=estate).select_related("building")
    if building_id:
        qs = qs.filter(building_id=building_id)
    return qs.annotate(
        previous=Subquery(
            readings.filter(period__lt=period_label).order_by("-period").values("reading")[:1]
        ),
        current=Subquery(readings.filter(period=period_label).values("reading")[:1]),
        billed=Exists(
            Bill.objects.filter(
                unit=OuterRef("pk"),
                fee_item=fee_item,
                period=period_label,
                reissue_of__isnull=True,
                source_ref="",
            )
        ),
    ).order_by("number")


def open_bills(unit: Unit) -> QuerySet[Bill]:
    """What the unit owes now, oldest due first."""
    return (
        Bill.objects.filter(unit=unit, voided_at__isnull=True, amount_paid__lt=F("amount_due"))
        .select_related("fee_item")
        .order_by("due_date", "period_start", "id")
    )


# Arrears --------------------------------------------------------------------------------------


def overdue_bills(*, estate: Estate, today: dt.date) -> QuerySet[Bill]:
    """Bills past their due date with something still owed (a bill due today is not late)."""
    return Bill.objects.filter(
        estate=estate,
        voided_at__isnull=True,
        amount_paid__lt=F("amount_due"),
        due_date__lt=today,
    )


def _bucket_q(today: dt.date, low: int, high: int | None) -> Q:
    q = Q(due_date__lte=today - dt.timedelta(days=low))
    if high is not None:
        q &= Q(due_date__gte=today - dt.timedelta(days=high))
    return q


def _ageing_sums(today: dt.date) -> dict:
    sums = {
        key: Coalesce(Sum(OUTSTANDING, filter=_bucket_q(today, low, high)), ZERO)
        for key, low, high in AGE_BUCKETS
    }
    sums["total"] = Coalesce(Sum(OUTSTANDING), ZERO)
    return sums


def arrears_ageing(*, estate: Estate, today: dt.date) -> dict:
    """The estate's overdue money by days past due (0-30, 31-90, 91-180, >180), with the
    total and the number of units and bills behind it; one query."""
    return overdue_bills(estate=estate, today=today).aggregate(
        **_ageing_sums(today),
        units=Count("unit_id", distinct=True),
        bills=Count("id"),
    )


def arrears_by_unit(*, estate: Estate, today: dt.date, min_days: int = 1) -> QuerySet:
    """One row per unit in arrears: unit id and number, the ageing buckets, total, oldest due
    date and bill count, largest total first. ``min_days`` keeps units owing for that long."""
    qs = overdue_bills(estate=estate, today=today)
    if min_days > 1:
        qs = qs.filter(
            unit__in=qs.filter(due_date__lte=today - dt.timedelta(days=min_days)).values("unit_id")
        )
    return (
        qs.values("unit_id", "unit__number")
        .annotate(**_ageing_sums(today), oldest_due=Min("due_date"), bills=Count("id"))
        .order_by("-total", "unit__number")
    )


def unit_arrears(*, unit: Unit, today: dt.date) -> dict:
    """One unit's ageing, the same figures as its row in ``arrears_by_unit``."""
    return Bill.objects.filter(
        unit=unit, voided_at__isnull=True, amount_paid__lt=F("amount_due"), due_date__lt=today
    ).aggregate(**_ageing_sums(today), oldest_due=Min("due_date"), bills=Count("id"))


def late_fee(bill: Bill, *, today: dt.date) -> Decimal:
    """The late fee (滞纳金) the item's rule puts on the bill today: outstanding × daily rate ×
    days past due, capped at outstanding × cap rate. Shown on notices, never billed silently."""
    item: FeeItem = bill.fee_item
    days = (today - bill.due_date).days
    outstanding = bill.amount_due - bill.amount_paid
    if not item.late_fee_daily_rate or days <= 0 or outstanding <= 0 or bill.voided_at:
        return Decimal("0.00")
    fee = outstanding * item.late_fee_daily_rate * days
    if item.late_fee_cap_rate is not None:
        fee = min(fee, outstanding * item.late_fee_cap_rate)
    return fee.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def units_to_remind(
    *, estate: Estate, today: dt.date, quiet_days: int = REMIND_QUIET_DAYS, min_days: int = 1
):
    """Units in arrears that nobody reminded in the last ``quiet_days`` and that have no
    promise to pay still pending; rows as ``arrears_by_unit``."""
    since = dt.datetime.combine(today - dt.timedelta(days=quiet_days), dt.time(), tzinfo=estate.tz)
    recent = Reminder.objects.filter(unit_id=OuterRef("unit_id")).filter(
        Q(at__gte=since) | Q(promised_date__gte=today)
    )
    return arrears_by_unit(estate=estate, today=today, min_days=min_days).filter(~Exists(recent))


def arrears_list(
    *,
    estate: Estate,
    today: dt.date,
    min_days: int = 1,
    bucket: str = "",
    unit: str = "",
    to_remind: bool = False,
) -> QuerySet:
    """The arrears page's rows (as ``arrears_by_unit``), filtered: units owing ``min_days``,
    with money in one ageing ``bucket``, of a building or entrance, or due a reminder."""
    if to_remind:
        qs = units_to_remind(estate=estate, today=today, min_days=min_days)
    else:
        qs = arrears_by_unit(estate=estate, today=today, min_days=min_days)
    if unit.strip():
        qs = qs.filter(unit_number_q(unit))
    if bucket:
        if bucket not in {key for key, _low, _high in AGE_BUCKETS}:
            raise ValueError(f"unknown ageing bucket {bucket!r}")
        qs = qs.filter(**{f"{bucket}__gt": 0})
    return qs


def primary_contacts(unit_ids) -> dict:
    """{unit id: Resident} of the units' current primary contacts, one query."""
    from residents.models import Occupancy

    return {
        o.unit_id: o.resident
        for o in Occupancy.objects.filter(
            unit_id__in=list(unit_ids), is_primary=True, ended_on__isnull=True
        ).select_related("resident")
    }


def latest_reminders(unit_ids) -> dict[int, Reminder]:
    """{unit id: its latest reminder}, one query."""
    latest = (
        Reminder.objects.filter(unit_id=OuterRef("unit_id")).order_by("-at", "-id").values("id")[:1]
    )
    return {
        r.unit_id: r
        for r in Reminder.objects.filter(
            unit_id__in=list(unit_ids), id=Subquery(latest)
        ).select_related("created_by")
    }


def unit_reminders(unit: Unit) -> QuerySet[Reminder]:
    return Reminder.objects.filter(unit=unit).select_related("created_by").order_by("-at", "-id")


# Statements -----------------------------------------------------------------------------------


def period_statement(*, estate: Estate, period: Period) -> dict:
    """An estate's month: per fee item, what was billed (bills due in the period, not voided),
    paid on those bills, outstanding and voided; and the money received in the period."""
    due = Q(due_date__gte=period.start_date, due_date__lt=period.end_date)
    rows = list(
        Bill.objects.filter(estate=estate)
        .filter(due)
        .values("fee_item__code", "fee_item__name")
        .annotate(
            bills=Count("id", filter=Q(voided_at__isnull=True)),
            billed=Coalesce(Sum("amount_due", filter=Q(voided_at__isnull=True)), ZERO),
            paid=Coalesce(Sum("amount_paid", filter=Q(voided_at__isnull=True)), ZERO),
            voided=Count("id", filter=Q(voided_at__isnull=False)),
        )
        .order_by("fee_item__code")
    )
    for row in rows:
        row["outstanding"] = row["billed"] - row["paid"]
    received = Payment.objects.filter(
        estate=estate, received_at__gte=period.start, received_at__lt=period.end
    ).aggregate(
        count=Count("id", filter=Q(reversal__isnull=True)),
        total=Coalesce(Sum("amount", filter=Q(reversal__isnull=True)), ZERO),
        reversed_total=Coalesce(Sum("amount", filter=Q(reversal__isnull=False)), ZERO),
    )
    totals = {
        key: sum((r[key] for r in rows), Decimal("0.00"))
        for key in ("billed", "paid", "outstanding")
    }
    totals["bills"] = sum(r["bills"] for r in rows)
    totals["voided"] = sum(r["voided"] for r in rows)
    return {"rows": rows, "totals": totals, "received": received}

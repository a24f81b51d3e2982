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
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncDate

from estate.kpi import Period
from estate.models import Estate, Unit
from estate.scoping import for_user
from fees.models import Allocation, Bill, FeeItem, Payment, Reminder, UnitAccount

MONEY_FIELD = DecimalField(max_digits=14, decimal_places=2)
ZERO = Value(Decimal("0.00"), output_field=MONEY_FIELD)
OUTSTANDING = ExpressionWrapper(F("amount_due") - F("amount_paid"), output_field=MONEY_FIELD)

# Ageing buckets: (key, fewest days past due, most days past due or None).
AGE_BUCKETS = [("0_30", 1, 30), ("31_90", 31, 90), ("91_180", 91, 180), ("over_180", 181, None)]
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


def units_to_remind(*, estate: Estate, today: dt.date, quiet_days: int = REMIND_QUIET_DAYS):
    """Units in arrears that nobody reminded in the last ``quiet_days`` and that have no
    promise to pay still pending; rows as ``arrears_by_unit``."""
    since = dt.datetime.combine(today - dt.timedelta(days=quiet_days), dt.time(), tzinfo=estate.tz)
    recent = Reminder.objects.filter(unit_id=OuterRef("unit_id")).filter(
        Q(at__gte=since) | Q(promised_date__gte=today)
    )
    return arrears_by_unit(estate=estate, today=today).filter(~Exists(recent))


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
        amount=Coalesce(Sum("amount", filter=Q(reversal__isnull=True)), ZERO),
        reversed=Coalesce(Sum("amount", filter=Q(reversal__isnull=False)), ZERO),
    )
    totals = {
        key: sum((r[key] for r in rows), Decimal("0.00"))
        for key in ("billed", "paid", "outstanding")
    }
    totals["bills"] = sum(r["bills"] for r in rows)
    totals["voided"] = sum(r["voided"] for r in rows)
    return {"rows": rows, "totals": totals, "received": received}

"""Arrears (欠费): overdue bills, their ageing for an estate and per unit, late fees, units
to remind and the reminders made."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from estate import localtime
from estate.models import Estate, Unit
from fees.models import Bill, FeeItem, Reminder
from fees.selectors.common import OUTSTANDING, ZERO, unit_number_q

# Ageing buckets: (key, fewest days past due, most days past due or None).
AGE_BUCKETS = [
    ("d0_30", 1, 30),
    ("d31_90", 31, 90),
    ("d91_180", 91, 180),
    ("over_180", 181, None),
]
REMIND_QUIET_DAYS = 7


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
    since = localtime.day_start(today - dt.timedelta(days=quiet_days), estate)
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

"""清欠率 (``fees.arrears_recovery_rate``) and the allocations it reads: the arrears cohort of
a period with what each bill owed at the start and what it recovered during the period, and the
list of allocations the API serves so anyone can recompute the rate (KPI.md)."""

import datetime as dt

from django.db.models import ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from estate import localtime
from estate.kpi import Period
from estate.models import Estate
from estate.scoping import for_user
from fees.models import Allocation, Bill
from fees.selectors.common import MONEY_FIELD, ZERO


def _allocated(start: dt.datetime | None, end: dt.datetime | None):
    """Money allocated to the outer bill with ``at`` in [start, end), reversals (negative)
    included: a correlated subquery on the (bill, at) index."""
    qs = Allocation.objects.filter(bill=OuterRef("pk"))
    if start is not None:
        qs = qs.filter(at__gte=start)
    if end is not None:
        qs = qs.filter(at__lt=end)
    total = qs.order_by().values("bill").annotate(t=Sum("amount")).values("t")
    return Coalesce(Subquery(total, output_field=MONEY_FIELD), ZERO)


def arrears_cohort(*, estate: Estate | int, period: Period) -> QuerySet[Bill]:
    """KPI.md's arrears cohort (清欠) of a period: the estate's bills, not voided, due before the
    period's first day and not fully paid at its start, each annotated with
    ``outstanding_at_start`` (amount due minus the allocations made before the start, net of
    the reversals made before it) and ``recovered`` (allocations made in the period, net of
    the reversals made in it).

    A bill fully paid before the start (``fully_paid_at`` earlier) owed nothing then and is
    skipped before the subqueries run: a reversal after the start clears ``fully_paid_at``, so
    every bill that might still owe is looked at."""
    return (
        Bill.objects.filter(estate=estate, voided_at__isnull=True, due_date__lt=period.start_date)
        .filter(Q(fully_paid_at__isnull=True) | Q(fully_paid_at__gte=period.start))
        .annotate(
            paid_before=_allocated(None, period.start),
            recovered=_allocated(period.start, period.end),
        )
        .annotate(
            outstanding_at_start=ExpressionWrapper(
                F("amount_due") - F("paid_before"), output_field=MONEY_FIELD
            )
        )
        .filter(outstanding_at_start__gt=0)
    )


def arrears_recovery(*, estate: Estate | int, period: Period) -> dict:
    """``{"recovered": CNY, "owed": CNY}`` of the period: 清欠率's numerator and denominator."""
    row = arrears_cohort(estate=estate, period=period).aggregate(
        sum_recovered=Coalesce(Sum("recovered"), ZERO),
        sum_owed=Coalesce(Sum("outstanding_at_start"), ZERO),
    )
    return {"recovered": row["sum_recovered"], "owed": row["sum_owed"]}


def allocation_list(
    *,
    user,
    estate: Estate | None = None,
    applied_from: dt.date | None = None,
    applied_to: dt.date | None = None,
) -> QuerySet[Allocation]:
    """Every allocation of money to a bill the user may see (a reversal is a negative amount on
    the day it was made), oldest first; ``applied_to`` exclusive, dates local to the estate."""
    qs = for_user(Allocation, user).select_related("bill")
    if estate is not None:
        qs = qs.filter(estate=estate)
    tz = estate.tz if estate is not None else None
    if applied_from:
        qs = qs.filter(at__gte=localtime.day_start(applied_from, tz))
    if applied_to:
        qs = qs.filter(at__lt=localtime.day_start(applied_to, tz))
    return qs.order_by("at", "id")

"""Bills: the list behind the bills page, the API and the rates' drill-down; the fee rates'
cohorts and the timely rate's conditions (one definition for the metric and its list); an
estate's month; the meter-reading sheet."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.shortcuts import get_object_or_404

from estate import kpi_selectors, localtime
from estate.kpi import Period
from estate.models import Estate, Unit
from estate.scoping import for_user
from fees.models import Allocation, Bill, FeeItem, MeterReading, Payment
from fees.selectors.common import ZERO, unit_number_q


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
    # pages only, the rates' drill-down: a stored snapshot's id (its records exactly, whatever
    # they have become since), or 清欠率's arrears cohort of a month; ``part`` of either.
    snapshot: int | None = None
    arrears_of: str = ""
    part: str = ""


# A bill's state as the pages show it; every bill is in exactly one.
BILL_STATUS = {
    "paid": Q(voided_at__isnull=True, fully_paid_at__isnull=False),
    "partial": Q(voided_at__isnull=True, fully_paid_at__isnull=True, amount_paid__gt=0),
    "unpaid": Q(voided_at__isnull=True, amount_paid=0),
    "voided": Q(voided_at__isnull=False),
}


def due_cohort(period: Period) -> Q:
    """KPI.md's fee cohort: bills not voided with ``due_date`` in the period."""
    return Q(voided_at__isnull=True, due_date__gte=period.start_date, due_date__lt=period.end_date)


def issued_cohort(period: Period) -> Q:
    """The accuracy cohort: every bill issued in the period, voided ones included."""
    return Q(issued_at__gte=period.start, issued_at__lt=period.end)


@dataclass(frozen=True)
class RateParts:
    """A rate's conditions within its cohort, for the metric's aggregate and its drill-down
    list alike (the annotations must be applied before filtering on either part)."""

    annotations: dict
    numerator: Q
    denominator: Q


def timely_parts(*, tz, today: dt.date, name: str = "paid_date") -> RateParts:
    """``fees.timely_rate`` (及时率): bills fully paid on or before their due date (local date of
    the last payment) / bills fully paid, or whose due date is before ``today``. ``name`` is
    the annotation holding the local date (a batch over several zones needs one per zone)."""
    fully_paid = Q(fully_paid_at__isnull=False)
    return RateParts(
        annotations={name: TruncDate("fully_paid_at", tzinfo=localtime.zone(tz))},
        numerator=fully_paid & Q(**{f"{name}__lte": F("due_date")}),
        denominator=fully_paid | Q(due_date__lt=today),
    )


def bill_list(
    *, user, estate: Estate | None = None, filters: BillFilters | None = None, today=None
) -> QuerySet[Bill]:
    """Bills the user may see, filtered; the same rows back the API, the bills page and the
    rates' drill-down links (``paid`` filters by ``timely_parts``, as the metric counts)."""
    f = filters or BillFilters()
    qs = for_user(Bill, user).select_related("estate", "unit", "fee_item")
    if estate is not None:
        qs = qs.filter(estate=estate)
    tz = estate.tz if estate is not None else None
    stored = None
    if f.snapshot and estate is not None:
        snap = kpi_selectors.drill_snapshot(estate=estate, snapshot=f.snapshot)
        ids = kpi_selectors.member_ids(snap, f.part or "denominator")
        if ids is not None:
            stored = qs.filter(pk__in=ids)
    if stored is not None:  # the snapshot's records: the live conditions no longer apply
        qs = stored
        if f.status:
            qs = qs.filter(BILL_STATUS[f.status])
        if f.unit.strip():
            qs = qs.filter(unit_number_q(f.unit))
        return qs.order_by("due_date", "id")
    if f.arrears_of and estate is not None:
        from fees.selectors.recovery import arrears_cohort

        period = Period.month(estate.tz, f.arrears_of)
        cohort = arrears_cohort(estate=estate, period=period)
        if f.part == "numerator":
            cohort = cohort.exclude(recovered=0)
        qs = qs.filter(pk__in=cohort.values("pk"))
    if f.due_from:
        qs = qs.filter(due_date__gte=f.due_from)
    if f.due_to:
        qs = qs.filter(due_date__lt=f.due_to)
    if f.issued_from:
        qs = qs.filter(issued_at__gte=localtime.day_start(f.issued_from, tz))
    if f.issued_to:
        qs = qs.filter(issued_at__lt=localtime.day_start(f.issued_to, tz))
    if f.voided is not None:
        qs = qs.filter(voided_at__isnull=not f.voided)
    if f.paid in ("on_time", "judged"):
        timely = timely_parts(tz=tz, today=today or localtime.today(tz))
        part = timely.numerator if f.paid == "on_time" else timely.denominator
        qs = qs.annotate(**timely.annotations).filter(part)
    elif f.paid == "open":
        qs = qs.filter(voided_at__isnull=True, amount_paid__lt=F("amount_due"))
    if f.status:
        qs = qs.filter(BILL_STATUS[f.status])
    if f.unit.strip():
        qs = qs.filter(unit_number_q(f.unit))
    return qs.order_by("due_date", "id")


def bill_totals(qs: QuerySet[Bill]) -> dict:
    """Count, due and paid of a bill list, one query."""
    return qs.aggregate(
        count=Count("id"),
        due=Coalesce(Sum("amount_due"), ZERO),
        paid=Coalesce(Sum("amount_paid"), ZERO),
    )


def bill_detail(*, user, bill_id: int) -> Bill:
    return get_object_or_404(
        for_user(Bill, user).select_related("estate", "unit", "fee_item", "reissue_of"),
        pk=bill_id,
    )


def bill_reissue_id(bill: Bill) -> int | None:
    """The id of the bill reissued in place of this voided one, if any."""
    return Bill.objects.filter(reissue_of=bill).values_list("pk", flat=True).first()


def bill_allocations(bill: Bill) -> list[Allocation]:
    """Every allocation to the bill, reversals included, in the order they were made."""
    return list(bill.allocations.select_related("payment").order_by("at", "id"))


def fee_item_list(*, estate: Estate) -> QuerySet[FeeItem]:
    """The estate's fee items with their prices over time."""
    return FeeItem.objects.filter(estate=estate).prefetch_related("prices").order_by("code")


def bill_for_void(*, user, bill_id: int) -> Bill:
    """The bill a correction is made on, with its unit and estate; 404 outside the user's
    estates."""
    return get_object_or_404(
        for_user(Bill, user).select_related("unit", "unit__estate", "unit__building"),
        pk=bill_id,
    )


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


def bill_drill_counted(*, estate: Estate, filters: BillFilters):
    """The yuan a money rate counted over the drill-down's bills (what 收缴率 or 清欠率 adds up
    to), or None when the list is not a money rate's drill-down: from the stored snapshot's
    members when ``snapshot`` is given, else live over 清欠率's arrears cohort (one query)."""
    if filters.snapshot:
        snap = kpi_selectors.drill_snapshot(estate=estate, snapshot=filters.snapshot)
        found = kpi_selectors.member_amounts(snap, filters.part or "denominator")
        if found is None:
            return None
        return kpi_selectors.member_total(snap, filters.part or "denominator")
    if filters.arrears_of:
        from fees.selectors.recovery import arrears_recovery

        period = Period.month(estate.tz, filters.arrears_of)
        row = arrears_recovery(estate=estate, period=period)
        return row["recovered"] if filters.part == "numerator" else row["owed"]
    return None

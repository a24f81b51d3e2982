"""The fee rates of KPI.md (收缴率, 及时率, 准确率), one aggregate query for the three; and
清欠率 (arrears recovery), one aggregate over the arrears cohort.

Cohort: bills of the estate, not voided, with ``due_date`` in the period; the accuracy cohort
is every bill with ``issued_at`` in the period, voided ones included. Money counts yuan."""

from urllib.parse import urlencode

from django.db.models import Count, F, Q, QuerySet, Sum
from django.urls import reverse

from estate.kpi import (
    Cohort,
    Job,
    Metric,
    MonthBatch,
    Part,
    Period,
    Ratio,
    month_batches,
    register_cohort,
    register_group,
)
from fees import selectors
from fees.models import Bill


def compute(*, estate, period: Period) -> dict[str, Ratio]:
    """``collection_rate`` = paid / due on the due cohort (CNY); ``timely_rate`` = cohort bills
    fully paid by their due date (local date of the last payment) / those fully paid or past
    due; ``accuracy_rate`` = issued bills not voided / issued bills. The timely conditions are
    ``selectors.timely_parts``, which the bills page's drill-down filters by too."""
    due = selectors.due_cohort(period)
    issued = selectors.issued_cohort(period)
    timely = selectors.timely_parts(tz=period.tz, today=period.today)
    agg = (
        Bill.objects.filter(estate=estate)
        .filter(due | issued)
        .annotate(**timely.annotations)
        .aggregate(
            **_due_counts(due, timely.numerator, timely.denominator), **_issued_counts(issued)
        )
    )
    return _ratios(agg)


def _due_counts(due: Q, on_time: Q, judged: Q) -> dict:
    return {
        "paid": Sum("amount_paid", filter=due),
        "owed": Sum("amount_due", filter=due),
        "on_time": Count("id", filter=due & on_time),
        "judged": Count("id", filter=due & judged),
    }


def _issued_counts(issued: Q | None) -> dict:
    """None: every row counted is in the accuracy cohort (a batch's rows grouped by issue month)."""
    kept = Q(voided_at__isnull=True)
    return {
        "kept": Count("id", filter=kept if issued is None else issued & kept),
        "issued": Count("id") if issued is None else Count("id", filter=issued),
    }


def _ratios(agg: dict) -> dict[str, Ratio]:
    return {
        "fees.collection_rate": Ratio(agg["paid"], agg["owed"]),
        "fees.timely_rate": Ratio(agg["on_time"], agg["judged"]),
        "fees.accuracy_rate": Ratio(agg["kept"], agg["issued"]),
    }


DUE_PARTS = ("paid", "owed", "on_time", "judged")
ISSUED_PARTS = ("kept", "issued")


def _batch_rows(batch: MonthBatch) -> QuerySet:
    """The bills of every estate-month of the batch, grouped by estate and by the local month
    of their due date and of their issue (a bill may count in one month's due cohort and
    another's accuracy cohort): ``due_cohort``, ``issued_cohort`` and ``timely_parts`` as in
    ``compute``; the timely conditions once per zone (the local date of a payment, today)."""
    span = batch.span
    on_time, judged, annotations = Q(), Q(), {}
    zones = batch.zone_periods()
    for n, (ids, period) in enumerate(zones):
        timely = selectors.timely_parts(tz=period.tz, today=period.today, name=f"paid_date_{n}")
        annotations.update(timely.annotations)
        scope = Q() if len(zones) == 1 else Q(estate_id__in=ids)
        on_time |= scope & timely.numerator
        judged |= scope & timely.denominator
    live = Q(voided_at__isnull=True)  # due_cohort's other condition: its dates are the bucket
    return (
        Bill.objects.filter(estate_id__in=batch.estate_ids)
        .filter(selectors.due_cohort(span) | selectors.issued_cohort(span))
        .annotate(**annotations)
        .values(
            _estate=F("estate_id"),
            _due=batch.bucket("due_date", dates=True),
            _issued=batch.bucket("issued_at"),
        )
        .annotate(**_due_counts(live, on_time, judged), **_issued_counts(None))
        .order_by()
    )


def compute_many(jobs: list[Job]) -> list[dict[str, Ratio]]:
    """``compute`` of many estate-months: one query grouped by estate, due month and issue
    month; the groups' counts and sums added up per estate-month."""
    out: list = [None] * len(jobs)
    batches, alone = month_batches(jobs)
    for i in alone:
        out[i] = compute(estate=jobs[i][0], period=jobs[i][1])
    for batch in batches:
        sums = {i: dict.fromkeys(DUE_PARTS + ISSUED_PARTS, 0) for i in batch.indices}
        for row in _batch_rows(batch):
            for i in batch.jobs_for(row["_estate"], row["_due"]):
                for part in DUE_PARTS:
                    sums[i][part] += row[part] or 0
            for i in batch.jobs_for(row["_estate"], row["_issued"]):
                for part in ISSUED_PARTS:
                    sums[i][part] += row[part] or 0
        for i in batch.indices:
            out[i] = _ratios(sums[i])
    return out


def _bills_url(estate, **params) -> str:
    return f"{reverse('fees:bills')}?{urlencode({'estate': estate.code, **params})}"


def _due_range(period: Period) -> dict:
    return {"due_from": period.start_date.isoformat(), "due_to": period.end_date.isoformat()}


def _issued_range(period: Period) -> dict:
    return {
        "issued_from": period.start_date.isoformat(),
        "issued_to": period.end_date.isoformat(),
    }


def _collection_link(estate, period: Period, part: str) -> str:
    return _bills_url(estate, **_due_range(period), voided="no")


def _timely_link(estate, period: Period, part: str) -> str:
    paid = "on_time" if part == "numerator" else "judged"
    return _bills_url(estate, **_due_range(period), voided="no", paid=paid)


def _accuracy_link(estate, period: Period, part: str) -> str:
    extra = {"voided": "no"} if part == "numerator" else {}
    return _bills_url(estate, **_issued_range(period), **extra)


ARREARS = "fees.arrears_recovery_rate"


def arrears_compute(*, estate, period: Period) -> dict[str, Ratio]:
    """清欠率 = money allocated in the period to arrears-cohort bills, net of the reversals made
    in the period / what those bills owed at the period's start (CNY, KPI.md)."""
    row = selectors.arrears_recovery(estate=estate, period=period)
    return {ARREARS: Ratio(row["recovered"], row["owed"])}


def arrears_compute_many(jobs: list[Job]) -> list[dict[str, Ratio]]:
    """``arrears_compute`` of many estate-months: one statement (the cohorts overlap: a debt
    is in every month's cohort until paid, so it is a join with the months, not a grouping)."""
    rows = selectors.arrears_recovery_many(jobs)
    return [{ARREARS: Ratio(row["recovered"], row["owed"])} for row in rows]


def _arrears_link(estate, period: Period, part: str) -> str:
    return _bills_url(estate, arrears_of=period.label, part=part)


register_group(
    [
        Metric("fees.collection_rate", "收缴率", "Collection rate", "cny", _collection_link),
        Metric(ARREARS, "清欠率", "Arrears recovery rate", "cny", _arrears_link),
        Metric("fees.timely_rate", "及时率", "Timely payment rate", "count", _timely_link),
        Metric("fees.accuracy_rate", "准确率", "Billing accuracy rate", "count", _accuracy_link),
    ],
    lambda **kw: {**compute(**kw), **arrears_compute(**kw)},
    compute_many=lambda jobs: [
        {**a, **b} for a, b in zip(compute_many(jobs), arrears_compute_many(jobs), strict=True)
    ],
)


def _bill_rows(*, estate, period: Period):
    due, issued = selectors.due_cohort(period), selectors.issued_cohort(period)
    timely = selectors.timely_parts(tz=period.tz, today=period.today)
    return Bill.objects.filter(estate=estate).filter(due | issued).annotate(**timely.annotations)


def _bill_conditions(period: Period) -> dict:
    due, issued = selectors.due_cohort(period), selectors.issued_cohort(period)
    timely = selectors.timely_parts(tz=period.tz, today=period.today)
    return {
        ("fees.collection_rate", "numerator"): (due, F("amount_paid")),
        ("fees.collection_rate", "denominator"): (due, F("amount_due")),
        ("fees.timely_rate", "numerator"): (due & timely.numerator, None),
        ("fees.timely_rate", "denominator"): (due & timely.denominator, None),
        ("fees.accuracy_rate", "numerator"): (issued & Q(voided_at__isnull=True), None),
        ("fees.accuracy_rate", "denominator"): (issued, None),
    }


register_cohort(
    Cohort(
        source="fees.bill",
        parts=(
            Part("fees.collection_rate", "numerator", money=True),
            Part("fees.collection_rate", "denominator", money=True),
            Part("fees.timely_rate", "numerator"),
            Part("fees.timely_rate", "denominator"),
            Part("fees.accuracy_rate", "numerator"),
            Part("fees.accuracy_rate", "denominator"),
        ),
        rows=_bill_rows,
        conditions=_bill_conditions,
    )
)

register_cohort(
    Cohort(
        source="fees.arrears_bill",
        parts=(Part(ARREARS, "numerator", money=True), Part(ARREARS, "denominator", money=True)),
        rows=selectors.arrears_cohort,
        conditions=lambda period: {
            (ARREARS, "numerator"): (~Q(recovered=0), F("recovered")),
            (ARREARS, "denominator"): (Q(pk__isnull=False), F("outstanding_at_start")),
        },
    )
)

"""The fee rates of KPI.md (收缴率, 及时率, 准确率), one aggregate query for the three; and
清欠率 (arrears recovery), one aggregate over the arrears cohort.

Cohort: bills of the estate, not voided, with ``due_date`` in the period; the accuracy cohort
is every bill with ``issued_at`` in the period, voided ones included. Money counts yuan."""

from urllib.parse import urlencode

from django.db.models import Count, F, Q, Sum
from django.urls import reverse

from estate.kpi import Cohort, Metric, Part, Period, Ratio, register_cohort, register_group
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
            paid=Sum("amount_paid", filter=due),
            owed=Sum("amount_due", filter=due),
            on_time=Count("id", filter=due & timely.numerator),
            judged=Count("id", filter=due & timely.denominator),
            kept=Count("id", filter=issued & Q(voided_at__isnull=True)),
            issued=Count("id", filter=issued),
        )
    )
    return {
        "fees.collection_rate": Ratio(agg["paid"], agg["owed"]),
        "fees.timely_rate": Ratio(agg["on_time"], agg["judged"]),
        "fees.accuracy_rate": Ratio(agg["kept"], agg["issued"]),
    }


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

"""The three violation rates of KPI.md (违章发现率, 及时处理率, 处理成功率), one aggregate query.

Cohort: the estate's violations with ``found_at`` in the period (``selectors.violation_cohort``);
the conditions are ``selectors.rate_parts``, the same ones the violation list filters by."""

from urllib.parse import urlencode

from django.db.models import Count, QuerySet
from django.urls import reverse

from estate.kpi import (
    Cohort,
    Job,
    Metric,
    MonthBatch,
    Part,
    Period,
    Ratio,
    grouped,
    register_cohort,
    register_group,
)
from renovation import selectors

NAMES = {
    "violation_detection_rate": ("违章发现率", "Violation detection rate"),
    "violation_timely_rate": ("及时处理率", "Violation timely handling rate"),
    "violation_success_rate": ("处理成功率", "Violation handling success rate"),
}


def compute(*, estate, period: Period) -> dict[str, Ratio]:
    """``detection`` = cohort violations found by a staff patrol / cohort violations;
    ``timely`` = closed as rectified by the deadline / closed or past the deadline at ``now``;
    ``success`` = closed as rectified / closed."""
    agg = selectors.violation_cohort(estate=estate, period=period).aggregate(
        **_aggregates(period.now)
    )
    return _ratios([agg])


def _aggregates(now) -> dict:
    aggregates = {}
    for name, (num, den) in selectors.rate_parts(now).items():
        aggregates[f"{name}:n"] = Count("id", filter=den & num)
        aggregates[f"{name}:d"] = Count("id", filter=den)
    return aggregates


def _ratios(rows: list[dict]) -> dict[str, Ratio]:
    row = rows[0] if rows else {}
    return {
        f"renovation.{n}": Ratio(row.get(f"{n}:n"), row.get(f"{n}:d")) for n in selectors.RATE_NAMES
    }


def _batch_rows(batch: MonthBatch) -> QuerySet:
    cohort = selectors.violation_cohort(estate=batch.estate_ids, period=batch.span)
    return batch.group(cohort, "found_at", **_aggregates(batch.now))


def compute_many(jobs: list[Job]) -> list[dict[str, Ratio]]:
    """``compute`` of many estate-months: one query grouped by estate and local month."""
    return grouped(jobs, compute=compute, rows=_batch_rows, build=_ratios)


def link(key: str):
    """The violation list showing the records behind a rate's numerator or denominator."""

    def make(estate, period: Period, part: str) -> str:
        query = {"estate": estate.code, "period": period.label, "metric": key, "part": part}
        return f"{reverse('renovation:violations')}?{urlencode(query)}"

    return make


register_group(
    [
        Metric(f"renovation.{name}", zh, en, "count", link(f"renovation.{name}"))
        for name, (zh, en) in NAMES.items()
    ],
    compute,
    compute_many=compute_many,
)


def _conditions(period: Period) -> dict:
    out = {}
    for name, (num, den) in selectors.rate_parts(period.now).items():
        out[(f"renovation.{name}", "numerator")] = (den & num, None)
        out[(f"renovation.{name}", "denominator")] = (den, None)
    return out


register_cohort(
    Cohort(
        source="renovation.violation",
        parts=tuple(
            Part(f"renovation.{name}", part)
            for name in selectors.RATE_NAMES
            for part in ("numerator", "denominator")
        ),
        rows=selectors.violation_cohort,
        conditions=_conditions,
        month_field="found_at",
    )
)

"""KPI.md's two move-in rates, 接房满意率 and 按期交房率: one aggregate query.

The cohort is ``selectors.handover_cohort`` and the conditions ``selectors.rate_parts``, the
same ones the drill-down list uses, so the handovers a manager sees are exactly those counted.
Registered from ``MoveInConfig.ready()``."""

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
from residents.movein import selectors

NAMES = {
    "satisfaction_rate": ("接房满意率", "Handover satisfaction rate"),
    "on_schedule_rate": ("按期交房率", "On-schedule handover rate"),
}


def link(key: str):
    """The handover list filtered to the records behind a rate's numerator or denominator."""

    def make(estate, period: Period, part: str) -> str:
        query = {"estate": estate.code, "period": period.label, "metric": key, "part": part}
        return f"{reverse('movein:list')}?{urlencode(query)}"

    return make


def _aggregates() -> dict:
    aggregates = {}
    for name, (num, den) in selectors.rate_parts().items():
        aggregates[f"{name}_n"] = Count("id", filter=den & num)
        aggregates[f"{name}_d"] = Count("id", filter=den)
    return aggregates


def _ratios(rows: list[dict]) -> dict[str, Ratio]:
    row = rows[0] if rows else {}
    return {
        f"movein.{name}": Ratio(row.get(f"{name}_n"), row.get(f"{name}_d"))
        for name in selectors.RATE_NAMES
    }


def compute(*, estate, period: Period) -> dict[str, Ratio]:
    """Both rates of one estate and period, from one aggregate query over the cohort."""
    row = selectors.handover_cohort(estate=estate, period=period).aggregate(**_aggregates())
    return _ratios([row])


def _batch_rows(batch: MonthBatch) -> QuerySet:
    cohort = selectors.handover_cohort(estate=batch.estate_ids, period=batch.span)
    return batch.group(cohort, "completed_at", **_aggregates())


def compute_many(jobs: list[Job]) -> list[dict[str, Ratio]]:
    """``compute`` of many estate-months: one query grouped by estate and local month."""
    return grouped(jobs, compute=compute, rows=_batch_rows, build=_ratios)


register_group(
    [
        Metric(key=f"movein.{name}", label_zh=zh, label_en=en, link=link(f"movein.{name}"))
        for name, (zh, en) in NAMES.items()
    ],
    compute,
    compute_many=compute_many,
)


def _conditions(period: Period) -> dict:
    out = {}
    for name, (num, den) in selectors.rate_parts().items():
        out[(f"movein.{name}", "numerator")] = (den & num, None)
        out[(f"movein.{name}", "denominator")] = (den, None)
    return out


register_cohort(
    Cohort(
        source="movein.handover",
        parts=tuple(
            Part(f"movein.{name}", part)
            for name in selectors.RATE_NAMES
            for part in ("numerator", "denominator")
        ),
        rows=selectors.handover_cohort,
        conditions=_conditions,
        month_field="completed_at",
    )
)

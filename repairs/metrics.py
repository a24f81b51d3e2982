"""The five ticket rates of KPI.md, for repairs and for complaints: ten metrics, one query
(one grouped query for many estate-months, ``compute_many``).

The conditions are ``selectors.rate_parts`` and the cohort is ``selectors.ticket_cohort``, the
same ones the drill-down lists, so the tickets a manager sees are exactly those counted."""

import datetime as dt
import functools
from collections.abc import Hashable
from urllib.parse import urlencode

from django.db import connections, router
from django.db.models import Count, Q, QuerySet
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
from repairs import selectors
from repairs.models import Ticket

NAMES = {
    "response_timely_rate": ("响应及时率", "Response timeliness rate"),
    "timely_rate": ("处理及时率", "Resolution timeliness rate"),
    "success_rate": ("处理成功率", "Success rate"),
    "satisfaction_rate": ("满意率", "Satisfaction rate"),
    "return_visit_rate": ("回访率", "Return-visit rate"),
}


def link(key: str):
    """The work-queue page listing the tickets behind a rate's numerator or denominator."""

    def make(estate, period: Period, part: str) -> str:
        query = {"estate": estate.code, "period": period.label, "metric": key, "part": part}
        return f"{reverse('repairs:queue')}?{urlencode(query)}"

    return make


# Sentinels stand for the values of one call in the statement compiled once per database.
_SENTINELS = {
    "estate": -918_273_645,
    "start": dt.datetime(1901, 1, 1, tzinfo=dt.UTC),
    "end": dt.datetime(1902, 1, 1, tzinfo=dt.UTC),
    "now": dt.datetime(1903, 1, 1, tzinfo=dt.UTC),
}


def cohorts(*, estate_id, start: dt.datetime, end: dt.datetime, now: dt.datetime) -> QuerySet:
    """Both cohorts of KPI.md (repairs and complaints reported in [start, end), not
    cancelled), one row per kind with every numerator and denominator."""
    period = Period(label="", start=start, end=end, now=now)
    cohort = selectors.ticket_cohort(
        estate=estate_id, period=period, kind=list(selectors.KIND_PREFIX.values())
    )
    return cohort.values("kind").annotate(**_counts(now)).order_by()


def _counts(now: dt.datetime) -> dict:
    """Every rate's numerator and denominator as filtered counts over the cohort."""
    aggregates = {}
    # COUNT(kind), not COUNT(id): every column read is in ticket_rates_idx (index-only scan).
    for name, (num, den) in selectors.rate_parts(now).items():
        aggregates[f"{name}:n"] = Count("kind", filter=den & num)
        aggregates[f"{name}:d"] = Count("kind", filter=den)
    return aggregates


def _prep(value, conn):
    if isinstance(value, dt.datetime):
        return Ticket._meta.get_field("reported_at").get_db_prep_value(value, conn)
    return value


@functools.cache
def _statement(alias: str) -> tuple[str, tuple, tuple, tuple]:
    """(sql, params, which sentinel each param is, column names), compiled once: building
    the twenty filtered counts in the ORM costs more than running them."""
    conn = connections[alias]
    qs = cohorts(
        estate_id=_SENTINELS["estate"],
        start=_SENTINELS["start"],
        end=_SENTINELS["end"],
        now=_SENTINELS["now"],
    )
    sql, params = qs.query.get_compiler(using=alias).as_sql()
    marks = {_prep(v, conn): k for k, v in _SENTINELS.items()}
    slots = tuple(marks.get(p) if isinstance(p, Hashable) else None for p in params)
    # A sentinel the ORM compiled into something else (a changed lookup, a new cast) would
    # leave its value fixed in every later call: wrong rates, silently. Refuse instead.
    for name in _SENTINELS:
        if name not in slots:
            raise RuntimeError(
                f"repairs.metrics: the sentinel {name!r} is not among the compiled parameters "
                "of the rates statement; the statement cannot be reused safely"
            )
    columns = ("kind", *qs.query.annotation_select)
    return sql, tuple(params), slots, columns


def compute(*, estate, period: Period) -> dict[str, Ratio]:
    """Every ticket rate of one estate and period: one aggregate query over both cohorts."""
    alias = router.db_for_read(Ticket)
    conn = connections[alias]
    sql, params, slots, columns = _statement(alias)
    values = {"estate": estate.pk, "start": period.start, "end": period.end, "now": period.now}
    actual = [
        p if slot is None else _prep(values[slot], conn)
        for p, slot in zip(params, slots, strict=True)
    ]
    with conn.cursor() as cursor:
        cursor.execute(sql, actual)
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    return _ratios(rows)


def _ratios(rows: list[dict]) -> dict[str, Ratio]:
    """The ten ratios from the cohort's rows of one estate-month (one per kind, or none)."""
    by_kind = {row["kind"]: row for row in rows}
    out = {}
    for prefix, kind in selectors.KIND_PREFIX.items():
        row = by_kind.get(kind, {})
        for name in selectors.RATE_NAMES:
            out[f"{prefix}.{name}"] = Ratio(row.get(f"{name}:n", 0), row.get(f"{name}:d", 0))
    return out


def _batch_rows(batch: MonthBatch) -> QuerySet:
    """Both cohorts of every estate-month of the batch, one row per estate, local month and
    kind with every numerator and denominator: the same ``rate_parts`` and ``ticket_cohort``
    as ``compute``, grouped instead of filtered to one estate and month."""
    cohort = selectors.ticket_cohort(
        estate=batch.estate_ids, period=batch.span, kind=list(selectors.KIND_PREFIX.values())
    )
    return batch.group(cohort, "reported_at", "kind", **_counts(batch.now))


def compute_many(jobs: list[Job]) -> list[dict[str, Ratio]]:
    """``compute`` of many estate-months: one query grouped by estate, local month and kind."""
    return grouped(jobs, compute=compute, rows=_batch_rows, build=_ratios)


register_group(
    [
        Metric(
            key=f"{prefix}.{name}",
            label_zh=zh,  # KPI.md's name exactly; the rates page groups them by section
            label_en=en,
            link=link(f"{prefix}.{name}"),
        )
        for prefix in selectors.KIND_PREFIX
        for name, (zh, en) in NAMES.items()
    ],
    compute,
    compute_many=compute_many,
)


def _cohort_rows(*, estate, period: Period) -> QuerySet:
    return selectors.ticket_cohort(
        estate=estate, period=period, kind=list(selectors.KIND_PREFIX.values())
    )


def _cohort_conditions(period: Period) -> dict:
    """Each rate's parts as whole conditions on a cohort row (its kind and the rate's
    conditions at the snapshot's ``now``): the same ``rate_parts`` the aggregate counts by."""
    out = {}
    for prefix, kind in selectors.KIND_PREFIX.items():
        for name, (num, den) in selectors.rate_parts(period.now).items():
            out[(f"{prefix}.{name}", "numerator")] = (Q(kind=kind) & den & num, None)
            out[(f"{prefix}.{name}", "denominator")] = (Q(kind=kind) & den, None)
    return out


register_cohort(
    Cohort(
        source="repairs.ticket",
        parts=tuple(
            Part(f"{prefix}.{name}", part)
            for prefix in selectors.KIND_PREFIX
            for name in selectors.RATE_NAMES
            for part in ("numerator", "denominator")
        ),
        rows=_cohort_rows,
        conditions=_cohort_conditions,
        month_field="reported_at",
    )
)

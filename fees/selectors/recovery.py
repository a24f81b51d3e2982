"""清欠率 (``fees.arrears_recovery_rate``) and the allocations it reads: the arrears cohort of
a period with what each bill owed at the start and what it recovered during the period, and the
list of allocations the API serves so anyone can recompute the rate (KPI.md)."""

import datetime as dt
from decimal import Decimal

from django.db import connections, router
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


# Sentinels stand for one job's values in the statement compiled from ``arrears_cohort``; each
# is then read from that job's row of a VALUES table, so the batch keeps the one definition.
_SENTINELS = {
    "estate": -918_273_645,
    "start": dt.datetime(1901, 1, 1, tzinfo=dt.UTC),
    "end": dt.datetime(1902, 1, 1, tzinfo=dt.UTC),
}
_COLUMNS = {"estate": "column2", "start": "column3", "end": "column4", "start_date": "column5"}
_BATCH_SIZE = 2000  # jobs per statement: 5 parameters each, far below SQLite's 32766


def _prepared(conn) -> dict:
    """(database value of each sentinel as the compiler passes it) -> its name."""
    moment = Bill._meta.get_field("fully_paid_at")
    day = Bill._meta.get_field("due_date")
    return {
        _SENTINELS["estate"]: "estate",
        moment.get_db_prep_value(_SENTINELS["start"], conn): "start",
        moment.get_db_prep_value(_SENTINELS["end"], conn): "end",
        day.get_db_prep_value(_SENTINELS["start"].date(), conn): "start_date",
    }


def _job_values(conn, estate, period: Period) -> list:
    moment = Bill._meta.get_field("fully_paid_at")
    day = Bill._meta.get_field("due_date")
    return [
        getattr(estate, "pk", estate),
        moment.get_db_prep_value(period.start, conn),
        moment.get_db_prep_value(period.end, conn),
        day.get_db_prep_value(period.start_date, conn),
    ]


def _arrears_batch_sql(alias: str, count: int) -> tuple[str, list, list]:
    """(sql, parameters before the jobs' VALUES, parameters after) of one statement summing
    ``arrears_cohort`` for ``count`` jobs, grouped by job. The cohort query is compiled with
    sentinels and each sentinel's placeholder replaced by the job's column, so the rule lives
    in ``arrears_cohort`` alone; a sentinel the compiler turned into something else fails."""
    conn = connections[alias]
    sentinel = Period(
        label="", start=_SENTINELS["start"], end=_SENTINELS["end"], now=_SENTINELS["end"]
    )
    qs = arrears_cohort(estate=_SENTINELS["estate"], period=sentinel).values(
        "recovered", "outstanding_at_start"
    )
    sql, params = qs.query.get_compiler(using=alias).as_sql()
    pieces = sql.split("%s")
    if len(pieces) != len(params) + 1:
        raise RuntimeError("fees arrears batch: unexpected placeholders in the cohort statement")
    marks = _prepared(conn)
    seen = set()
    text, kept = pieces[0], []
    for param, piece in zip(params, pieces[1:], strict=True):
        name = marks.get(param) if isinstance(param, int | str | dt.date) else None
        if name is None:
            text += "%s" + piece
            kept.append(param)
        else:
            seen.add(name)
            text += f"kpi_job.{_COLUMNS[name]}" + piece
    if seen != set(_COLUMNS):
        raise RuntimeError(
            f"fees arrears batch: sentinels {sorted(set(_COLUMNS) - seen)} not found among the "
            "compiled parameters; the statement cannot be reused safely"
        )
    table = f" FROM {conn.ops.quote_name(Bill._meta.db_table)}"
    if text.count(table) != 1 or not text.startswith("SELECT "):
        raise RuntimeError("fees arrears batch: unexpected shape of the cohort statement")
    at = text.index(table)
    before = text[:at].count("%s")
    rows = ", ".join(["(%s, %s, %s, %s, %s)"] * count)
    inner = (
        "SELECT kpi_job.column1 AS kpi_job_index, "
        + text[len("SELECT ") : at]
        + f" FROM (VALUES {rows}) kpi_job CROSS JOIN"
        + text[at + len(" FROM") :]
    )
    outer = (
        'SELECT s.kpi_job_index, SUM(s."recovered"), SUM(s."outstanding_at_start") '
        f"FROM ({inner}) s GROUP BY s.kpi_job_index"
    )
    return outer, kept[:before], kept[before:]


def _money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def arrears_recovery_many(jobs) -> list[dict]:
    """``arrears_recovery`` of many (estate, period) pairs: one statement (per 2,000 jobs) over
    the arrears cohorts of all of them, summed per job in the database."""
    alias = router.db_for_read(Bill)
    conn = connections[alias]
    out = [{"recovered": _money(0), "owed": _money(0)} for _ in jobs]
    for first in range(0, len(jobs), _BATCH_SIZE):
        chunk = jobs[first : first + _BATCH_SIZE]
        sql, head, tail = _arrears_batch_sql(alias, len(chunk))
        values = []
        for i, (estate, period) in enumerate(chunk):
            values += [first + i, *_job_values(conn, estate, period)]
        with conn.cursor() as cursor:
            cursor.execute(sql, [*head, *values, *tail])
            for index, recovered, owed in cursor.fetchall():
                out[index] = {"recovered": _money(recovered), "owed": _money(owed)}
    return out


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

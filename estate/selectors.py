"""Reads of the estate app that are more than a get."""

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from estate import kpi
from estate.models import ApiToken, Building, Estate, KpiSnapshot, Notification, TaskRun, Unit
from estate.scoping import for_user


def unit_search(*, user, estate: Estate | None = None, q: str = "") -> QuerySet[Unit]:
    qs = for_user(Unit, user).select_related("estate", "building")
    if estate is not None:
        qs = qs.filter(estate=estate)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(number__startswith=q) | Q(number__icontains=q))
    return qs.order_by("estate__code", "number")


NATURAL_WINDOW = 6  # rows read per row shown, before sorting them in natural order


def natural_key(text: str) -> tuple:
    """``1-1-101`` before ``1-1-1001``: digits compare as numbers."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in re.split(r"(\d+)", text or "")
        if part
    )


def in_natural_order(qs: QuerySet, *, limit: int, field: str = "number") -> list:
    """The first ``limit`` rows of ``qs`` in the natural order of ``field``, as a person counts
    unit numbers (``2-1-102`` before ``2-1-1001``): a bounded slice read in the database's
    order, then sorted. Every search that lists units (front desk, cashier) orders this way."""
    rows = list(qs.order_by(field)[: limit * NATURAL_WINDOW])
    return sorted(rows, key=lambda row: natural_key(getattr(row, field)))[:limit]


def building_list(*, user, estate: Estate | None = None) -> QuerySet[Building]:
    qs = for_user(Building, user).select_related("estate")
    if estate is not None:
        qs = qs.filter(estate=estate)
    return qs.order_by("estate__code", "number")


def notification_list(*, user, limit: int = 100) -> list[Notification]:
    """The user's latest notifications, newest first."""
    return list(user.notifications.select_related("estate")[:limit])


def api_token_list(*, user, limit: int = 100) -> list[ApiToken]:
    """The user's API tokens, newest first (never the token itself: only its hash is kept)."""
    return list(user.api_tokens.order_by("-created_at")[:limit])


def estate_codes(estate_ids) -> dict[int, str]:
    """{estate id: code} of the estates given, one query."""
    return dict(Estate.objects.filter(pk__in=list(estate_ids)).values_list("pk", "code"))


@dataclass(frozen=True)
class KpiValue:
    """One rate as every page, PDF and the API show it, with the moment it was computed."""

    metric: kpi.Metric
    ratio: kpi.Ratio
    computed_at: dt.datetime
    stored: bool  # False: no snapshot yet, computed for this answer and not stored
    snapshot_id: int | None = None  # the stored snapshot: its drill-down lists its records


@dataclass(frozen=True)
class KpiTable:
    """The rates of one estate and period, in registry order."""

    period: kpi.Period
    values: list[KpiValue]

    def __getitem__(self, key: str) -> KpiValue:
        return next(v for v in self.values if v.metric.key == key)

    @property
    def computed_at(self) -> dt.datetime | None:
        return max((v.computed_at for v in self.values), default=None)

    @property
    def stored(self) -> bool:
        """Whether every rate comes from the stored snapshot."""
        return all(v.stored for v in self.values)


def kpi_tables(*, estate: Estate, periods: list[kpi.Period], prefix: str = "") -> list[KpiTable]:
    """The rates of each period (only the keys starting with ``prefix``), read from the stored
    snapshots in one query: the figure a manager, the fees overview, the statement PDF and the
    API all show, until ``estate.services.kpi_snapshot_compute`` stores a new one.

    A month without a snapshot (or a key registered since) is computed now and not stored,
    and says so (``stored``); a date range is always computed now. Nothing is written."""
    metrics = [m for m in kpi.metrics() if m.key.startswith(prefix)]
    keys = [m.key for m in metrics]
    months = [p.label for p in periods if p.is_month]
    snaps = {}
    if months and keys:
        snaps = {
            (s.period, s.key): s
            for s in KpiSnapshot.objects.filter(estate=estate, period__in=months, key__in=keys)
        }
    # The periods without a (complete) snapshot, computed together (one grouped query per
    # metric group for the months; a date range alone).
    jobs, missing = [], set()
    for i, period in enumerate(periods):
        gaps = [k for k in keys if (period.label, k) not in snaps]
        if gaps:
            jobs.append((i, period))
            missing.update(gaps)
    computed = kpi.compute_many([(estate, p) for _i, p in jobs], keys=missing) if jobs else []
    lives = {i: r for (i, _p), r in zip(jobs, computed, strict=True)}
    tables = []
    for i, period in enumerate(periods):
        found = {k: snaps[(period.label, k)] for k in keys if (period.label, k) in snaps}
        live = lives.get(i, {})
        values = []
        for metric in metrics:
            snap = found.get(metric.key)
            if snap is not None:
                ratio = kpi.Ratio(snap.numerator, snap.denominator)
                values.append(
                    KpiValue(metric, ratio, snap.computed_at, stored=True, snapshot_id=snap.pk)
                )
            else:
                values.append(KpiValue(metric, live[metric.key], period.now, stored=False))
        tables.append(KpiTable(period=period, values=values))
    return tables


def kpi_table(*, estate: Estate, period: kpi.Period, prefix: str = "") -> KpiTable:
    """The rates of one estate and period (see ``kpi_tables``)."""
    return kpi_tables(estate=estate, periods=[period], prefix=prefix)[0]


KPI_REFRESH_TASK = "kpi-refresh"


@dataclass(frozen=True)
class Freshness:
    """How fresh a page's stored rates are: when they were computed, the refresh task's last
    run, and whether they are older than twice the refresh schedule (the refresh has stopped:
    a dead consumer, a failing run)."""

    computed_at: dt.datetime | None
    stale: bool
    last_run: TaskRun | None
    refresh_minutes: int = kpi.REFRESH_MINUTES


def rates_freshness(
    *, period: kpi.Period, computed_at: dt.datetime | None, stored: bool, now=None
) -> Freshness:
    """Only the current and the previous month are refreshed by the task; an older month's
    snapshot is meant to stay as it was, and rates computed on the spot are fresh (one query,
    the task's latest run)."""
    now = now or timezone.now()
    last_run = TaskRun.objects.filter(name=KPI_REFRESH_TASK).order_by("-started_at").first()
    current = kpi.Period.containing(period.tz, now, now=now)
    refreshed = period.label in (current.label, current.previous().label)
    limit = dt.timedelta(minutes=2 * kpi.REFRESH_MINUTES)
    stale = bool(stored and refreshed and computed_at and now - computed_at > limit)
    return Freshness(computed_at=computed_at, stale=stale, last_run=last_run)

"""Reads of the stored rates for pages, the API, the bulletin and exports: tables over several
estates and months, trends, company totals, a month's state (open / frozen / reopened), and the
stored membership behind a drill-down.

Every figure comes from the stored snapshot (``KpiSnapshot``) when there is one; a month
without one is computed for the answer and not stored (``stored`` says so). Nothing here
writes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    BigIntegerField,
    Case,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.db.models.lookups import Exact
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from estate import kpi, localtime
from estate.errors import DomainError
from estate.models import Estate, KpiMember, KpiMonth, KpiMonthLog, KpiSnapshot

# --- months ------------------------------------------------------------------------------------


def months_ending(label: str, count: int) -> list[str]:
    """``count`` month labels ending with ``label``, oldest first (``2026-10``, 12 → 2025-11 ..
    2026-10). A bad label is a field error on ``period``."""
    kpi.Period.month("UTC", label)  # validates
    year, month = int(label[:4]), int(label[5:])
    out = []
    for _i in range(count):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def months_between(first: str, last: str, *, limit: int = 36) -> list[str]:
    """Every month label from ``first`` to ``last`` inclusive (at most ``limit``)."""
    kpi.Period.month("UTC", first)
    kpi.Period.month("UTC", last)
    if first > last:
        raise DomainError("invalid", _("'from' must not be after 'to'."), field="to")
    out = []
    year, month = int(first[:4]), int(first[5:])
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        if len(out) > limit:
            raise DomainError(
                "invalid", _("At most %(n)d months at once.") % {"n": limit}, field="to"
            )
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    return out


def month_closes_at(estate: Estate, label: str) -> dt.datetime:
    """When a month freezes: once day ``KPI_FREEZE_AFTER_DAY`` (default the 5th) of the next
    month has ended, in the estate's zone."""
    end = kpi.Period.month(estate.tz, label).end_date  # the next month's first day
    day = max(1, min(28, int(getattr(settings, "KPI_FREEZE_AFTER_DAY", 5))))
    return localtime.day_start(end + dt.timedelta(days=day), estate.tz)


@dataclass(frozen=True)
class MonthStatus:
    """A month's state as the pages show it."""

    period: str
    state: str  # "open", "frozen" (closed: the stored figure no longer changes), "reopened"
    computed_at: dt.datetime | None
    frozen_at: dt.datetime | None
    closes_at: dt.datetime
    recomputing: bool  # a recompute is queued and not done yet
    month_id: int | None

    @property
    def frozen(self) -> bool:
        return self.state == KpiMonth.State.FROZEN


def month_status(*, estate: Estate, period: str) -> MonthStatus:
    """The month's state as stored: frozen once closed (the periodic task freezes a month on
    its first run after ``month_closes_at``), reopened after a manager unfroze it, open
    otherwise (also a month never computed)."""
    row = KpiMonth.objects.filter(estate=estate, period=period).first()
    closes = month_closes_at(estate, period)
    state = row.state if row else KpiMonth.State.OPEN
    return MonthStatus(
        period=period,
        state=state,
        computed_at=row.computed_at if row else None,
        frozen_at=row.frozen_at if row else None,
        closes_at=closes,
        recomputing=bool(row and row.recompute_requested_at),
        month_id=row.pk if row else None,
    )


def frozen_months(*, estates) -> set[tuple[int, str]]:
    """``(estate id, month label)`` of every frozen month of these estates (one query)."""
    return set(
        KpiMonth.objects.filter(estate__in=estates, state=KpiMonth.State.FROZEN).values_list(
            "estate_id", "period"
        )
    )


def month_is_frozen(estate: Estate, date: dt.date | dt.datetime) -> bool:
    """Whether the month holding ``date`` (a local date, or a moment read in the estate's zone)
    is frozen: its stored rates no longer change, so records dated into it would make the
    figure and the books disagree. The fees payment service asks it before accepting a
    back-dated payment. One query."""
    if isinstance(date, dt.datetime):
        date = localtime.local_date(date, estate.tz)
    label = f"{date.year:04d}-{date.month:02d}"
    return KpiMonth.objects.filter(
        estate=estate, period=label, state=KpiMonth.State.FROZEN
    ).exists()


def month_log(*, estate: Estate, period: str, limit: int = 20) -> list[KpiMonthLog]:
    """Who froze, unfroze or recomputed the month, newest first."""
    return list(
        KpiMonthLog.objects.filter(month__estate=estate, month__period=period).order_by(
            "-at", "-id"
        )[:limit]
    )


def frozen_changes(*, estate: Estate, period: kpi.Period) -> dict[str, dict]:
    """For a frozen month: per key, the frozen numerator and denominator against what the
    records give now (one aggregate query per metric group, in the DB), and how many records
    more or fewer each part would count: ``{key: {"num": Δ, "den": Δ, "changed": bool}}``."""
    stored = {
        s.key: s
        for s in KpiSnapshot.objects.filter(estate=estate, period=period.label).only(
            "key", "numerator", "denominator"
        )
    }
    live = kpi.compute_all(estate=estate, period=period)
    out = {}
    for key, ratio in live.items():
        snap = stored.get(key)
        if snap is None:
            continue
        d_num = ratio.numerator - snap.numerator
        d_den = ratio.denominator - snap.denominator
        out[key] = {"num": d_num, "den": d_den, "changed": bool(d_num or d_den)}
    return out


def member_rows(*, cohort: kpi.Cohort, estate: Estate, period: kpi.Period) -> QuerySet:
    """The cohort's records as a snapshot taken at ``period.now`` counts them: each row with
    ``_kf`` (one bit per (metric, part) it counts in) and ``_kn``/``_kd`` (the yuan it counts
    for a money numerator/denominator), only rows counted somewhere. What a snapshot stores
    (``estate.services``) and what a frozen month's stored records are compared with."""
    return members_flagged(cohort.rows(estate=estate, period=period), cohort=cohort, period=period)


def members_flagged(qs, *, cohort: kpi.Cohort, period) -> QuerySet:
    """``qs`` (rows of the cohort, of one estate or several) flagged as ``member_rows`` says;
    ``period`` may span several months (the batch refresh)."""
    flags = Value(0, output_field=BigIntegerField())
    amounts = {"numerator": None, "denominator": None}
    conditions = cohort.conditions(period)
    for i, part in enumerate(cohort.parts):
        condition, amount = conditions[(part.key, part.part)]
        flags = flags + Case(
            When(condition, then=Value(1 << i)),
            default=Value(0),
            output_field=BigIntegerField(),
        )
        if part.money:
            amounts[part.part] = amount
    money = DecimalField(max_digits=14, decimal_places=2)
    return (
        qs.annotate(
            _kf=ExpressionWrapper(flags, output_field=BigIntegerField()),
            _kn=Cast(amounts["numerator"] or Value(None), money),
            _kd=Cast(amounts["denominator"] or Value(None), money),
        )
        .filter(_kf__gt=0)
        .order_by()
    )


def frozen_records_changed(*, estate: Estate, period: kpi.Period) -> int:
    """How many records a frozen month's stored figures would count differently now (records
    added or back-dated into it, records that left it, records counted in other rates or for
    other yuan than when it was frozen): the stored membership against ``member_rows`` now,
    two counting queries per cohort in the database (plus one for the month)."""
    month = KpiMonth.objects.filter(estate=estate, period=period.label).first()
    if month is None:
        return 0
    kept = kpi.with_membership([m.key for m in kpi.metrics()])
    money = DecimalField(max_digits=14, decimal_places=2)
    nothing = Value(-1, output_field=money)  # no amount: compared equal to no amount
    changed = 0
    for cohort in kpi.cohorts():
        if not any(p.key in kept for p in cohort.parts):
            continue
        stored = KpiMember.objects.filter(month=month, source=cohort.source)
        live = member_rows(cohort=cohort, estate=estate, period=period)
        same = stored.filter(
            Exact(F("object_id"), OuterRef("pk")),
            Exact(F("flags"), OuterRef("_kf")),
            Exact(
                Coalesce("amount_num", nothing, output_field=money),
                Coalesce(OuterRef("_kn"), nothing, output_field=money),
            ),
            Exact(
                Coalesce("amount_den", nothing, output_field=money),
                Coalesce(OuterRef("_kd"), nothing, output_field=money),
            ),
        )
        changed += live.filter(~Exists(same)).order_by().count()  # new or counted otherwise
        changed += stored.exclude(object_id__in=live.order_by().values("pk")).count()  # left
    return changed


# --- drill-down --------------------------------------------------------------------------------


def drill_snapshot(*, estate: Estate, snapshot, key: str | None = None) -> KpiSnapshot | None:
    """The stored snapshot a drill-down link names (``?snapshot=<id>``), only of this estate
    (and of ``key`` when given): another estate's, or a bad id, is not found (404)."""
    if snapshot in (None, ""):
        return None
    try:
        pk = int(snapshot)
    except (TypeError, ValueError):
        raise Http404 from None
    snap = KpiSnapshot.objects.filter(pk=pk, estate=estate).first()
    if snap is None or (key and snap.key != key):
        raise Http404
    return snap


def stored_records(*, estate: Estate, snapshot, key: str, part: str, model) -> QuerySet | None:
    """The records of ``model`` a stored snapshot counted in ``part`` (the drill-down behind
    a ``?snapshot=<id>`` link), or None without ``snapshot`` or when the metric keeps no
    membership (then the caller lists its live condition)."""
    snap = drill_snapshot(estate=estate, snapshot=snapshot, key=key)
    if snap is None:
        return None
    ids = member_ids(snap, part)
    if ids is None:
        return None
    return model._default_manager.filter(pk__in=ids)


def member_ids(snapshot: KpiSnapshot, part: str) -> QuerySet | None:
    """The ids of the records the stored snapshot counted in ``part`` (a subquery for
    ``pk__in``), or None when its metric keeps no membership (evaluate the list live)."""
    if part not in kpi.PARTS:
        raise DomainError("invalid", _("part is numerator or denominator"), field="part")
    found = kpi.member_of(snapshot.key, part)
    if found is None:
        return None
    cohort, bit = found
    return (
        KpiMember.objects.filter(
            month__estate_id=snapshot.estate_id,
            month__period=snapshot.period,
            source=cohort.source,
        )
        .filter(Exact(F("flags").bitand(bit), bit))
        .values("object_id")
    )


def member_total(snapshot: KpiSnapshot, part: str):
    """What the stored snapshot's part adds up to over its members (a count, or yuan for a
    money metric): equal to the stored figure by construction."""
    found = kpi.member_of(snapshot.key, part)
    if found is None:
        return None
    cohort, bit = found
    index = bit.bit_length() - 1
    qs = KpiMember.objects.filter(
        month__estate_id=snapshot.estate_id, month__period=snapshot.period, source=cohort.source
    ).filter(Exact(F("flags").bitand(bit), bit))
    if cohort.parts[index].money:
        column = "amount_num" if part == "numerator" else "amount_den"
        return qs.aggregate(t=Sum(column))["t"] or 0
    return qs.count()


def member_amounts(snapshot: KpiSnapshot, part: str) -> QuerySet | None:
    """(object_id, amount) of a money metric's part as counted by the snapshot, or None."""
    found = kpi.member_of(snapshot.key, part)
    if found is None:
        return None
    cohort, bit = found
    if not cohort.parts[bit.bit_length() - 1].money:
        return None
    column = "amount_num" if part == "numerator" else "amount_den"
    return (
        KpiMember.objects.filter(
            month__estate_id=snapshot.estate_id,
            month__period=snapshot.period,
            source=cohort.source,
        )
        .filter(Exact(F("flags").bitand(bit), bit))
        .values_list("object_id", column)
    )


# --- tables, trends, company totals --------------------------------------------------------------


@dataclass(frozen=True)
class KpiCell:
    """One rate of one estate and month, as every page, PDF and the API show it."""

    estate: Estate
    period: str
    metric: kpi.Metric
    ratio: kpi.Ratio | None  # None only from ``kpi_table(live=False)`` without a snapshot
    computed_at: dt.datetime | None
    stored: bool  # False: no snapshot yet, computed for this answer and not stored
    snapshot_id: int | None
    frozen: bool


@dataclass(frozen=True)
class KpiGrid:
    """Rates for several estates and months: ``cells`` ordered by estate code, month, then the
    registry's order; ``get(estate, period, key)`` finds one."""

    estates: list[Estate]
    months: list[str]
    cells: list[KpiCell]

    def get(self, estate: Estate | int, period: str, key: str) -> KpiCell | None:
        estate_id = getattr(estate, "pk", estate)
        return self._index().get((estate_id, period, key))

    def _index(self) -> dict:
        cache = self.__dict__.get("_idx")
        if cache is None:
            cache = {(c.estate.pk, c.period, c.metric.key): c for c in self.cells}
            object.__setattr__(self, "_idx", cache)
        return cache

    def of(self, estate: Estate | int, period: str) -> list[KpiCell]:
        estate_id = getattr(estate, "pk", estate)
        return [c for c in self.cells if c.estate.pk == estate_id and c.period == period]

    def total(self, period: str, key: str) -> kpi.Ratio:
        """The company's figure of a rate for a month over the grid's estates: the sum of
        their numerators over the sum of their denominators (a rate of the sums, never an
        average of the estates' rates); an estate without a figure adds nothing."""
        sums = self.__dict__.get("_sums")
        if sums is None:
            sums = {}
            for c in self.cells:
                if c.ratio is not None:
                    acc = sums.setdefault((c.period, c.metric.key), [0, 0])
                    acc[0] += c.ratio.numerator
                    acc[1] += c.ratio.denominator
            object.__setattr__(self, "_sums", sums)
        return kpi.Ratio(*sums.get((period, key), (0, 0)))


def kpi_table(
    *,
    estates: list[Estate],
    months: list[str],
    keys: list[str] | None = None,
    now=None,
    live: bool = True,
) -> KpiGrid:
    """The rates of every estate and month given (keys: all registered, or those given).

    Two queries whatever the data size when every month is stored: the snapshots, the months'
    states. A month without a snapshot (or a key registered since) is computed now for the
    answer, not stored, and says so (``stored=False``); with ``live=False`` it is left empty
    (``ratio=None``) instead, so that a page costs two queries whatever is stored (the
    dashboard: nothing is computed while a page is read)."""
    now = now or timezone.now()
    metrics = [m for m in kpi.metrics() if keys is None or m.key in keys]
    wanted = [m.key for m in metrics]
    estates = sorted(estates, key=lambda e: e.code)
    ids = [e.pk for e in estates]
    snaps = {}
    states = {}
    if ids and months and wanted:
        snaps = {
            (s.estate_id, s.period, s.key): s
            for s in KpiSnapshot.objects.filter(
                estate_id__in=ids, period__in=months, key__in=wanted
            )
        }
        states = {
            (m["estate_id"], m["period"]): m["state"]
            for m in KpiMonth.objects.filter(estate_id__in=ids, period__in=months).values(
                "estate_id", "period", "state"
            )
        }
    # The months without a (complete) snapshot, computed together: one grouped query per
    # metric group however many estates and months are missing.
    jobs, missing = [], set()
    for estate in estates:
        for label in months:
            gaps = [k for k in wanted if (estate.pk, label, k) not in snaps]
            if gaps and live:
                jobs.append((estate, kpi.Period.month(estate.tz, label, now=now)))
                missing.update(gaps)
    computed = kpi.compute_many(jobs, keys=missing) if jobs else []
    lives = {(e.pk, p.label): r for (e, p), r in zip(jobs, computed, strict=True)}
    cells = []
    for estate in estates:
        for label in months:
            row = lives.get((estate.pk, label), {})
            frozen = states.get((estate.pk, label)) == KpiMonth.State.FROZEN
            for metric in metrics:
                snap = snaps.get((estate.pk, label, metric.key))
                if snap is not None:
                    cells.append(
                        KpiCell(
                            estate,
                            label,
                            metric,
                            kpi.Ratio(snap.numerator, snap.denominator),
                            snap.computed_at,
                            True,
                            snap.pk,
                            frozen,
                        )
                    )
                elif live:
                    cells.append(
                        KpiCell(estate, label, metric, row[metric.key], now, False, None, frozen)
                    )
                else:
                    cells.append(KpiCell(estate, label, metric, None, None, False, None, frozen))
    return KpiGrid(estates=estates, months=list(months), cells=cells)


def kpi_trend(
    *, estates: Estate | list[Estate], key: str, months: list[str], now=None
) -> list[tuple[str, kpi.Ratio]]:
    """One rate month by month (``[(period, Ratio)]``, oldest first). For several estates each
    month's figure is the sum of their numerators over the sum of their denominators (never an
    average of rates). One query when every month is stored."""
    if key not in {m.key for m in kpi.metrics()}:
        raise DomainError("invalid", _("There is no metric %(key)s.") % {"key": key}, field="key")
    return kpi_trends(estates=estates, months=months, keys=[key], now=now)[key]


def kpi_trends(
    *, estates: Estate | list[Estate], months: list[str], keys: list[str] | None = None, now=None
) -> dict[str, list[tuple[str, kpi.Ratio]]]:
    """``kpi_trend`` of several keys (all registered by default) at once: ``{key: [(period,
    Ratio)]}`` in registry order, from one ``kpi_table`` (two queries when all is stored)."""
    estates = [estates] if isinstance(estates, Estate) else list(estates)
    grid = kpi_table(estates=estates, months=months, keys=keys, now=now)
    wanted = [m.key for m in kpi.metrics() if keys is None or m.key in keys]
    return {key: [(label, grid.total(label, key)) for label in months] for key in wanted}


def kpi_company_total(*, estates: list[Estate], period: str, key: str, now=None) -> kpi.Ratio:
    """The company's figure of one rate for a month: the sum of the estates' numerators over the
    sum of their denominators (a rate of the sums, never an average of the estates' rates).
    An estate without a snapshot is computed now and added (``KpiGrid.total``: the one place
    the sum is made). Two queries when every estate's figure is stored."""
    if key not in {m.key for m in kpi.metrics()}:
        raise DomainError("invalid", _("There is no metric %(key)s.") % {"key": key}, field="key")
    return kpi_table(estates=estates, months=[period], keys=[key], now=now).total(period, key)


def stored_months(*, estate: Estate) -> QuerySet[KpiMonth]:
    """The estate's months with a stored snapshot, newest first."""
    return KpiMonth.objects.filter(estate=estate, computed_at__isnull=False).order_by("-period")

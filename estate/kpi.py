"""The KPI engine: periods, ratios, and the registry each app adds its metrics to.

The common rules of KPI.md live here and nowhere else: a period is a calendar month in the
estate's time zone (or an explicit date range, ``to`` exclusive); ``rate = numerator /
denominator`` rounded half-up to 4 places; ``None`` when the denominator is 0.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from estate import localtime
from estate.errors import DomainError
from estate.validators import check_in_years

RATE_PLACES = Decimal("0.0001")
# The periodic refresh of the stored rates (estate/tasks.py) runs every this many minutes; the
# pages showing rates warn when theirs are older than twice that.
REFRESH_MINUTES = 15
CNY_PLACES = Decimal("0.01")
_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Period:
    """A half-open interval [start, end) of local time in one estate's zone."""

    label: str
    start: dt.datetime
    end: dt.datetime
    now: dt.datetime
    is_month: bool = True

    @property
    def tz(self) -> ZoneInfo:
        return self.start.tzinfo  # type: ignore[return-value]

    @property
    def start_date(self) -> dt.date:
        return self.start.date()

    @property
    def end_date(self) -> dt.date:
        """Exclusive."""
        return self.end.date()

    @property
    def today(self) -> dt.date:
        """The local date of ``now`` in the period's zone."""
        return localtime.local_date(self.now, self.tz)

    @classmethod
    def month(cls, tz: ZoneInfo | str, label: str, *, now: dt.datetime | None = None) -> Period:
        tz = ZoneInfo(tz) if isinstance(tz, str) else tz
        match = _MONTH_RE.match(label or "")
        if not match or not 1 <= int(match[2]) <= 12:
            raise DomainError(
                "invalid", f"period must be a month written YYYY-MM, not {label!r}", field="period"
            )
        check_in_years(dt.date(int(match[1]), int(match[2]), 1), field="period")
        start, end = localtime.month_bounds(int(match[1]), int(match[2]), tz)
        return cls(label=label, start=start, end=end, now=now or timezone.now())

    @classmethod
    def for_dates(
        cls, tz: ZoneInfo | str, start: dt.date, end: dt.date, *, now: dt.datetime | None = None
    ) -> Period:
        """``end`` is exclusive, as in the API's ``to``."""
        tz = ZoneInfo(tz) if isinstance(tz, str) else tz
        check_in_years(start, field="from")
        check_in_years(end, field="to")
        if end <= start:
            raise DomainError(
                "invalid", _("The end of the period must be after its start."), field="to"
            )
        return cls(
            label=f"{start.isoformat()}..{end.isoformat()}",
            start=localtime.day_start(start, tz),
            end=localtime.day_start(end, tz),
            now=now or timezone.now(),
            is_month=False,
        )

    @classmethod
    def containing(cls, tz: ZoneInfo | str, moment: dt.datetime, *, now=None) -> Period:
        tz = ZoneInfo(tz) if isinstance(tz, str) else tz
        local = localtime.local(moment, tz)
        return cls.month(tz, f"{local.year:04d}-{local.month:02d}", now=now)

    def previous(self) -> Period:
        return Period.containing(self.tz, self.start - dt.timedelta(days=1), now=self.now)

    def next(self) -> Period:
        return Period.containing(self.tz, self.end, now=self.now)


@dataclass(frozen=True)
class Ratio:
    numerator: Decimal
    denominator: Decimal

    def __init__(self, numerator, denominator):
        object.__setattr__(self, "numerator", Decimal(numerator or 0))
        object.__setattr__(self, "denominator", Decimal(denominator or 0))

    @property
    def rate(self) -> Decimal | None:
        if self.denominator == 0:
            return None
        return (self.numerator / self.denominator).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Metric:
    key: str
    label_zh: str
    label_en: str
    unit: str = "count"  # "count" or "cny"
    # (estate, period, part) -> URL of the records behind "numerator" or "denominator"
    link: Callable | None = field(default=None, compare=False)

    @property
    def label(self) -> str:
        return self.label_zh if (get_language() or "zh-hans").startswith("zh") else self.label_en

    def fmt(self, value: Decimal) -> str:
        if self.unit == "cny":
            return str(value.quantize(CNY_PLACES, rounding=ROUND_HALF_UP))
        return str(int(value))


ComputeFn = Callable[..., dict[str, Ratio]]

_PREFIX_ORDER = ["repairs.", "complaints.", "movein.", "fees.", "renovation.", "community."]
SECTIONS = {
    "repairs": ("报修", "Repairs"),
    "complaints": ("投诉", "Complaints"),
    "movein": ("入伙收房", "Move-in"),
    "fees": ("费用收缴", "Fees"),
    "renovation": ("装修管理", "Renovation"),
    "community": ("社区活动", "Community"),
}


def section_label(key: str) -> str:
    """The section a metric key belongs to, in the current language (``repairs`` → 报修)."""
    prefix = key.split(".", 1)[0]
    zh, en = SECTIONS.get(prefix, (prefix, prefix))
    return zh if (get_language() or "zh-hans").startswith("zh") else en


# (estate, period) pairs in; one ``{key: Ratio}`` per pair out, in the same order.
Job = tuple[Any, Period]
ManyFn = Callable[[list[Job]], list[dict[str, Ratio]]]

_metrics: dict[str, Metric] = {}
_groups: list[tuple[tuple[str, ...], ComputeFn, ManyFn | None]] = []


def register_group(
    metrics: list[Metric], compute: ComputeFn, *, compute_many: ManyFn | None = None
) -> None:
    """Register metrics computed together by one function ``compute(*, estate, period)``
    that returns ``{key: Ratio}`` (ideally from one aggregate query); ``compute_many(jobs)``,
    when given, computes a list of (estate, period) at once (one grouped query, see
    ``MonthBatch``) and returns exactly what ``compute`` gives job by job."""
    for metric in metrics:
        if metric.key in _metrics:
            raise ValueError(f"metric {metric.key!r} registered twice")
        _metrics[metric.key] = metric
    _groups.append((tuple(m.key for m in metrics), compute, compute_many))


def register(metric: Metric, compute: Callable[..., Ratio]) -> None:
    register_group([metric], lambda **kw: {metric.key: compute(**kw)})


def _order(key: str) -> tuple[int, int]:
    prefix = next((i for i, p in enumerate(_PREFIX_ORDER) if key.startswith(p)), 99)
    return prefix, list(_metrics).index(key)


def metrics() -> list[Metric]:
    return sorted(_metrics.values(), key=lambda m: _order(m.key))


def get(key: str) -> Metric:
    return _metrics[key]


def compute_all(*, estate, period: Period, keys=None) -> dict[str, Ratio]:
    """Every registered metric for one estate and period, in registry order; with ``keys``,
    only the groups that compute one of them (a group runs whole: one query each)."""
    wanted = None if keys is None else set(keys)
    out: dict[str, Ratio] = {}
    for group_keys, compute, _many in _groups:
        if wanted is not None and not wanted.intersection(group_keys):
            continue
        out.update(_checked(group_keys, compute(estate=estate, period=period)))
    return {m.key: out[m.key] for m in metrics() if m.key in out}


def _checked(group_keys, result: dict[str, Ratio]) -> dict[str, Ratio]:
    missing = set(group_keys) - set(result)
    if missing:
        raise RuntimeError(f"metric group did not return {sorted(missing)}")
    return {k: result[k] for k in group_keys}


def compute_many(jobs, *, keys=None) -> list[dict[str, Ratio]]:
    """``compute_all`` of many (estate, period) pairs at once: ``[{key: Ratio}]`` in the order
    of ``jobs``. Each group with a batch function runs one grouped query per ``MonthBatch``
    (months sharing one ``now``: usually one query per group, whatever the number of estates
    and months); a group without one, or a date range, is computed job by job. The figures
    are those of ``compute_all`` for each job alone."""
    jobs = list(jobs)
    wanted = None if keys is None else set(keys)
    out: list[dict[str, Ratio]] = [{} for _ in jobs]
    if not jobs:
        return out
    for group_keys, compute, many in _groups:
        if wanted is not None and not wanted.intersection(group_keys):
            continue
        results = many(jobs) if many else [compute(estate=e, period=p) for e, p in jobs]
        for acc, result in zip(out, results, strict=True):
            acc.update(_checked(group_keys, result))
    order = [m.key for m in metrics()]
    return [{k: acc[k] for k in order if k in acc} for acc in out]


# --- Many estate-months in one grouped query ----------------------------------------------------
#
# A batch function groups its cohort by estate and by the estate's local month. Months are cut
# in each estate's zone, so the month of a row is a CASE over the bounds of its zone's months
# (estates sharing a zone share them): ``MonthBatch.bucket``. Conditions that read ``now``
# (an open ticket past its deadline) take the batch's ``now``, so a batch holds months that
# share one; a caller computing a table passes the same ``now`` to every period.


def estate_lookup(estate, field: str = "estate") -> dict:
    """The filter on a cohort's estate: ``{field: estate}``, or ``{field__in: ids}`` for a list
    of estates or ids (a batch's cohort spans several estates)."""
    if isinstance(estate, list | tuple | set | frozenset):
        return {f"{field}__in": [getattr(e, "pk", e) for e in estate]}
    return {field: estate}


@dataclass
class _Zone:
    tz: ZoneInfo
    estate_ids: list[int]
    periods: list[Period]  # every month from the zone's first asked to its last, in order
    base: int  # the bucket of periods[0]


@dataclass
class MonthBatch:
    """Jobs that one grouped query computes: months (``Period.is_month``) sharing ``now``.

    ``indices`` are the jobs' positions in the caller's list; ``estate_ids`` and ``span``
    (a period from the earliest start to the latest end, with the batch's ``now``) select the
    cohort's candidate rows; ``bucket(field)`` numbers the local month of each row and
    ``jobs_for(estate_id, bucket)`` says which jobs a group of rows belongs to."""

    now: dt.datetime
    indices: list[int]
    zones: list[_Zone]
    _index: dict[tuple[int, int], list[int]]
    _buckets: dict[int, int]  # job position -> its bucket

    @property
    def estate_ids(self) -> list[int]:
        return [e for z in self.zones for e in z.estate_ids]

    @property
    def span(self) -> Period:
        start = min(z.periods[0].start for z in self.zones)
        end = max(z.periods[-1].end for z in self.zones)
        return Period(label="", start=start, end=end, now=self.now, is_month=False)

    def zone_spans(self) -> list[tuple[list[int], Period]]:
        """(estate ids, a period from the zone's first month to its last) per zone."""
        return [
            (
                z.estate_ids,
                Period(
                    label="",
                    start=z.periods[0].start,
                    end=z.periods[-1].end,
                    now=self.now,
                    is_month=False,
                ),
            )
            for z in self.zones
        ]

    def zone_periods(self) -> list[tuple[list[int], Period]]:
        """(estate ids, a period of the zone with the batch's ``now``) per zone, for conditions
        that depend on the zone (a local date of ``now``, a payment's local date)."""
        return [(z.estate_ids, z.periods[0]) for z in self.zones]

    def bucket(self, field: str, *, estate_field: str = "estate_id", dates: bool = False):
        """The local month of each row as an integer (NULL outside the batch's months): a CASE
        on ``field`` (a datetime, or with ``dates`` a local date) against the month bounds of
        the row's zone."""
        from django.db.models import Case, IntegerField, Q, Value, When

        none = Value(None, output_field=IntegerField())
        cases = []
        for zone in self.zones:
            first = zone.periods[0]
            start = first.start_date if dates else first.start
            ends = [p.end_date if dates else p.end for p in zone.periods]
            whens = [When(Q(**{f"{field}__lt": start}), then=none)]
            whens += [
                When(Q(**{f"{field}__lt": end}), then=Value(zone.base + k))
                for k, end in enumerate(ends)
            ]
            cases.append(Case(*whens, default=none, output_field=IntegerField()))
        if len(cases) == 1:
            return cases[0]
        return Case(
            *[
                When(Q(**{f"{estate_field}__in": z.estate_ids}), then=case)
                for z, case in zip(self.zones, cases, strict=True)
            ],
            default=none,
            output_field=IntegerField(),
        )

    def jobs_for(self, estate_id: int, bucket: int | None) -> list[int]:
        """The jobs (positions in the caller's list) of one estate and bucket: none for a month
        computed only because it lies between two asked ones."""
        if bucket is None:
            return []
        return self._index.get((estate_id, bucket), [])

    def group(self, qs, field: str, *also: str, estate_field: str = "estate_id", **aggregates):
        """``qs`` grouped by estate (``_estate``), local month (``_bucket``, of ``field``) and
        the columns ``also``, with ``aggregates`` per group: the one query of a batch."""
        from django.db.models import F

        return (
            qs.values(
                *also,
                _estate=F(estate_field),
                _bucket=self.bucket(field, estate_field=estate_field),
            )
            .annotate(**aggregates)
            .order_by()
        )

    def bucket_of(self, position: int) -> int:
        """The bucket of a job of the batch (its position in the caller's list)."""
        return self._buckets[position]


def month_batches(jobs: list[Job]) -> tuple[list[MonthBatch], list[int]]:
    """Split jobs into batches (months sharing ``now``, each estate in one zone) and the
    positions of those to compute alone (a date range; an estate asked in a second zone)."""
    alone: list[int] = []
    by_now: dict[dt.datetime, list[int]] = {}
    for i, (_estate, period) in enumerate(jobs):
        if period.is_month:
            by_now.setdefault(period.now, []).append(i)
        else:
            alone.append(i)
    batches = []
    for now, positions in by_now.items():
        zone_of: dict[int, str] = {}
        labels: dict[str, set[str]] = {}
        tzs: dict[str, ZoneInfo] = {}
        kept = []
        for i in positions:
            estate, period = jobs[i]
            key = str(period.tz)
            if zone_of.setdefault(estate.pk, key) != key:
                alone.append(i)
                continue
            tzs[key] = period.tz
            labels.setdefault(key, set()).add(period.label)
            kept.append(i)
        zones: list[_Zone] = []
        bucket_of: dict[tuple[str, str], int] = {}  # (zone, month label) -> bucket
        for key, tz in tzs.items():
            months = sorted(labels[key])
            periods = [Period.month(tz, months[0], now=now)]
            while periods[-1].label < months[-1]:
                periods.append(Period.containing(tz, periods[-1].end, now=now))
            ids = sorted(e for e, z in zone_of.items() if z == key)
            base = len(bucket_of)
            bucket_of.update({(key, p.label): base + k for k, p in enumerate(periods)})
            zones.append(_Zone(tz=tz, estate_ids=ids, periods=periods, base=base))
        index: dict[tuple[int, int], list[int]] = {}
        buckets: dict[int, int] = {}
        for i in kept:
            estate, period = jobs[i]
            bucket = bucket_of[(zone_of[estate.pk], period.label)]
            buckets[i] = bucket
            index.setdefault((estate.pk, bucket), []).append(i)
        batches.append(
            MonthBatch(now=now, indices=kept, zones=zones, _index=index, _buckets=buckets)
        )
    return batches, sorted(alone)


def grouped(
    jobs: list[Job],
    *,
    compute: ComputeFn,
    rows: Callable[[MonthBatch], Any],
    build: Callable[[list[dict]], dict[str, Ratio]],
) -> list[dict[str, Ratio]]:
    """The usual batch function: job by job for what cannot be batched, else one query per
    batch, ``rows(batch)``, whose rows carry ``_estate`` and ``_bucket`` (from
    ``MonthBatch.bucket``) beside their counts; ``build(rows of one job)`` gives its ratios
    (several rows per job when the query also groups by something else, a ticket's kind)."""
    out: list[dict[str, Ratio] | None] = [None] * len(jobs)
    batches, alone = month_batches(jobs)
    for i in alone:
        estate, period = jobs[i]
        out[i] = compute(estate=estate, period=period)
    for batch in batches:
        found: dict[int, list[dict]] = {}
        for row in rows(batch):
            for i in batch.jobs_for(row["_estate"], row["_bucket"]):
                found.setdefault(i, []).append(row)
        for i in batch.indices:
            out[i] = build(found.get(i, []))
    return out  # type: ignore[return-value]


# --- Cohort membership: the records a stored snapshot counted ---------------------------------
#
# A metric group may also register its cohorts: for each kind of record (a "source"), the rows
# of one estate and period and, per (metric, part), the condition under which a row counts and,
# for a money metric, the amount it counts. ``estate.services.kpi_snapshot_compute`` stores one
# row per counted record (``KpiMember``: source, record id, a bit per (metric, part), the money)
# and takes the snapshot's figures from those rows, so a drill-down filtered by the stored
# membership lists exactly what the figure counted, however the records change afterwards.

PARTS = ("numerator", "denominator")


@dataclass(frozen=True)
class Part:
    """One part of one metric within a cohort; ``money``: it counts yuan, not records."""

    key: str
    part: str
    money: bool = False


@dataclass(frozen=True)
class Cohort:
    """The records of one source behind some metrics' parts.

    ``rows(estate=, period=)`` is a queryset of the estate's candidate records (with any
    annotations the conditions need); ``conditions(period)`` gives, for each ``Part`` in
    ``parts``, ``(Q, amount)``: the whole condition under which a row counts (a numerator's
    includes its denominator's) and, for a money part, the expression of the yuan it counts."""

    source: str
    parts: tuple[Part, ...]
    rows: Callable = field(compare=False)
    conditions: Callable = field(compare=False)
    # The date that puts a row in exactly one month (``reported_at``), and the row's estate,
    # when there is one: many months' records are then stored by one statement per batch.
    # None where a record counts in several months (a debt in every month until paid).
    month_field: str | None = None
    estate_field: str = "estate_id"

    def bit(self, key: str, part: str) -> int:
        for i, p in enumerate(self.parts):
            if p.key == key and p.part == part:
                return 1 << i
        raise KeyError((key, part))


_cohorts: dict[str, Cohort] = {}


def register_cohort(cohort: Cohort) -> None:
    """Register where the records behind some metrics' parts are (see ``Cohort``). A source
    carries at most 62 parts and at most one money amount per side (numerator/denominator)."""
    if cohort.source in _cohorts:
        raise ValueError(f"cohort {cohort.source!r} registered twice")
    if len(cohort.parts) > 62:
        raise ValueError("a cohort carries at most 62 parts")
    for side in PARTS:
        if sum(1 for p in cohort.parts if p.part == side and p.money) > 1:
            raise ValueError(f"cohort {cohort.source!r}: more than one {side} amount")
    for p in cohort.parts:
        if p.part not in PARTS:
            raise ValueError(f"part must be numerator or denominator, not {p.part!r}")
        if member_of(p.key, p.part) is not None:
            raise ValueError(f"{p.key} {p.part} is in two cohorts")
    _cohorts[cohort.source] = cohort


def cohorts() -> list[Cohort]:
    return list(_cohorts.values())


def member_of(key: str, part: str) -> tuple[Cohort, int] | None:
    """(cohort, bit) holding the records of a metric's part, or None when its group keeps no
    membership (its drill-down is then evaluated live)."""
    for cohort in _cohorts.values():
        for i, p in enumerate(cohort.parts):
            if p.key == key and p.part == part:
                return cohort, 1 << i
    return None


def with_membership(keys) -> set[str]:
    """The keys whose numerator and denominator both have a cohort."""
    return {k for k in keys if member_of(k, "numerator") and member_of(k, "denominator")}


def drill_link(metric: Metric, estate, period: Period, part: str, snapshot_id=None) -> str | None:
    """The drill-down URL of a metric's part; for a stored figure it names the snapshot, so the
    list shows exactly the records that figure counted (``snapshot=<id>&part=<part>``)."""
    if metric.link is None:
        return None
    url = metric.link(estate, period, part)
    if snapshot_id is None:
        return url
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("snapshot", "part")]
    query += [("snapshot", str(snapshot_id)), ("part", part)]
    return urlunsplit(parts._replace(query=urlencode(query)))

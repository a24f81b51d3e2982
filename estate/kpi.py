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


_metrics: dict[str, Metric] = {}
_groups: list[tuple[tuple[str, ...], ComputeFn]] = []


def register_group(metrics: list[Metric], compute: ComputeFn) -> None:
    """Register metrics computed together by one function ``compute(*, estate, period)``
    that returns ``{key: Ratio}`` (ideally from one aggregate query)."""
    for metric in metrics:
        if metric.key in _metrics:
            raise ValueError(f"metric {metric.key!r} registered twice")
        _metrics[metric.key] = metric
    _groups.append((tuple(m.key for m in metrics), compute))


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
    for group_keys, compute in _groups:
        if wanted is not None and not wanted.intersection(group_keys):
            continue
        result = compute(estate=estate, period=period)
        missing = set(group_keys) - set(result)
        if missing:
            raise RuntimeError(f"metric group did not return {sorted(missing)}")
        out.update({k: result[k] for k in group_keys})
    return {m.key: out[m.key] for m in metrics() if m.key in out}


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

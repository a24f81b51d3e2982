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
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import get_language

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
            raise DomainError("invalid", "'to' must be after 'from'", field="to")
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

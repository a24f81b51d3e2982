"""Reads of the manager's dashboard: the stored rates of an estate over a year, the targets,
and the estates ranked on each rate. Every figure is a stored snapshot read through
``estate.kpi_selectors.kpi_table`` (the same the rates page, the API and the bulletin show);
a month without a snapshot shows "—" and says it was not computed (``live=False``: nothing
is computed while a page is read, so a page costs a fixed number of queries whatever the
data). Company totals are ``KpiGrid.total``: sums of numerators over sums of denominators."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from estate import kpi, kpi_selectors
from estate.dashboard.explain import explain
from estate.models import Estate, KpiTarget

TREND_MONTHS = 12


def months_back(period: kpi.Period, n: int) -> list[kpi.Period]:
    """The ``n`` months ending with ``period``, oldest first."""
    out = [period]
    for _ in range(n - 1):
        out.append(out[-1].previous())
    return out[::-1]


def same_month_last_year(period: kpi.Period) -> kpi.Period:
    year, month = period.label.split("-")
    return kpi.Period.month(period.tz, f"{int(year) - 1:04d}-{month}", now=period.now)


def pct(rate: Decimal | None) -> str:
    """0.9302 → "93.02%"; None → "—"."""
    if rate is None:
        return "—"
    return f"{(rate * 100).quantize(Decimal('0.01'))}%"


def points(delta: Decimal | None) -> str:
    """A change of rate in percentage points, signed: +1.25 / −0.50 / ±0.00."""
    if delta is None:
        return "—"
    value = (delta * 100).quantize(Decimal("0.01"))
    if value > 0:
        return f"+{value}"
    if value < 0:
        return f"−{-value}"
    return "±0.00"


@dataclass
class Figure:
    """One stored rate: its counts, rate, when it was computed and its snapshot (the
    drill-down names it), whether its month is frozen (None ratio: no snapshot)."""

    ratio: kpi.Ratio | None
    computed_at: dt.datetime | None = None
    snapshot_id: int | None = None
    frozen: bool = False

    @classmethod
    def of(cls, cell: kpi_selectors.KpiCell | None) -> Figure:
        if cell is None:
            return cls(None)
        return cls(cell.ratio, cell.computed_at, cell.snapshot_id, cell.frozen)

    @property
    def rate(self) -> Decimal | None:
        return self.ratio.rate if self.ratio is not None else None

    @property
    def pct(self) -> str:
        return pct(self.rate)


@dataclass
class Row:
    metric: kpi.Metric
    section: str
    current: Figure
    previous: Figure
    last_year: Figure
    target: KpiTarget | None
    trend: list[tuple[str, Decimal | None]] = field(default_factory=list)
    num_link: str | None = None
    den_link: str | None = None

    @property
    def key(self) -> str:
        return self.metric.key

    @property
    def label(self) -> str:
        return self.metric.label

    @property
    def explanation(self):
        return explain(self.metric.key)

    def fmt(self, figure: Figure, part: str) -> str:
        if figure.ratio is None:
            return "—"
        return self.metric.fmt(getattr(figure.ratio, part))

    @property
    def num(self) -> str:
        return self.fmt(self.current, "numerator")

    @property
    def target_pct(self) -> str:
        return pct(self.target.target) if self.target else "—"

    @property
    def prev_counts(self) -> str:
        return f"{self.fmt(self.previous, 'numerator')}/{self.fmt(self.previous, 'denominator')}"

    @property
    def year_counts(self) -> str:
        return f"{self.fmt(self.last_year, 'numerator')}/{self.fmt(self.last_year, 'denominator')}"

    @property
    def den(self) -> str:
        return self.fmt(self.current, "denominator")

    def _delta(self, other: Figure) -> Decimal | None:
        if self.current.rate is None or other.rate is None:
            return None
        return self.current.rate - other.rate

    @property
    def vs_previous(self) -> str:
        return points(self._delta(self.previous))

    @property
    def vs_last_year(self) -> str:
        return points(self._delta(self.last_year))

    @property
    def met(self) -> bool | None:
        """Whether the rate reaches its target (every rate of KPI.md is "higher is better");
        None without a target or without a rate."""
        return target_met(self.current.rate, self.target)


def target_met(rate: Decimal | None, target: KpiTarget | None) -> bool | None:
    if target is None or rate is None:
        return None
    return rate >= target.target


def targets_for(estate_ids: list[int]) -> dict[tuple[int | None, str], KpiTarget]:
    """{(estate id or None for the company default, key): target}, one query."""
    return {
        (t.estate_id, t.key): t
        for t in KpiTarget.objects.filter(estate_id__in=estate_ids)
        | KpiTarget.objects.filter(estate__isnull=True)
    }


def effective_target(targets: dict, estate_id: int, key: str) -> KpiTarget | None:
    """The estate's own target of the rate, else the company default, else None."""
    return targets.get((estate_id, key)) or targets.get((None, key))


@dataclass
class Dashboard:
    estate: Estate
    period: kpi.Period
    previous: kpi.Period
    last_year: kpi.Period
    months: list[kpi.Period]
    rows: list[Row]

    @property
    def computed_at(self) -> dt.datetime | None:
        return max(
            (r.current.computed_at for r in self.rows if r.current.computed_at), default=None
        )

    @property
    def complete(self) -> bool:
        return all(r.current.ratio is not None for r in self.rows)

    @property
    def met_count(self) -> int:
        return sum(1 for r in self.rows if r.met is True)

    @property
    def missed_count(self) -> int:
        return sum(1 for r in self.rows if r.met is False)


def dashboard(*, estate: Estate, period: kpi.Period, links: bool = True) -> Dashboard:
    """Every registered rate of one estate for a month: the stored figure, the previous month,
    the same month a year before, the target and the 12-month trend. Three queries: the
    snapshots of the 13 months and their months' states (``kpi_table``), the targets. The
    counts link to the records the stored figure counted (its snapshot, as on the rates
    page)."""
    months = months_back(period, TREND_MONTHS)
    last_year = same_month_last_year(period)
    labels = [m.label for m in months] + [last_year.label]
    grid = kpi_selectors.kpi_table(estates=[estate], months=labels, live=False)
    targets = targets_for([estate.pk])
    rows = []
    for metric in kpi.metrics():
        get = lambda label, k=metric.key: Figure.of(grid.get(estate, label, k))  # noqa: E731
        row = Row(
            metric=metric,
            section=kpi.section_label(metric.key),
            current=get(period.label),
            previous=get(months[-2].label),
            last_year=get(last_year.label),
            target=effective_target(targets, estate.pk, metric.key),
            trend=[(m.label, get(m.label).rate) for m in months],
        )
        if links and metric.link:
            snapshot = row.current.snapshot_id
            row.num_link = kpi.drill_link(metric, estate, period, "numerator", snapshot)
            row.den_link = kpi.drill_link(metric, estate, period, "denominator", snapshot)
        rows.append(row)
    return Dashboard(estate, period, months[-2], last_year, months, rows)


@dataclass
class Ranked:
    estate: Estate
    figure: Figure
    target: KpiTarget | None
    rank: int | None = None
    metric: kpi.Metric | None = None

    @property
    def num(self) -> str:
        return self.metric.fmt(self.figure.ratio.numerator) if self.figure.ratio else "—"

    @property
    def den(self) -> str:
        return self.metric.fmt(self.figure.ratio.denominator) if self.figure.ratio else "—"

    @property
    def met(self) -> bool | None:
        return target_met(self.figure.rate, self.target)


@dataclass
class Ranking:
    metric: kpi.Metric
    section: str
    estates: list[Ranked]
    total: kpi.Ratio  # the company's: sum of numerators over sum of denominators

    @property
    def total_pct(self) -> str:
        return pct(self.total.rate)

    @property
    def total_num(self) -> str:
        return self.metric.fmt(self.total.numerator)

    @property
    def total_den(self) -> str:
        return self.metric.fmt(self.total.denominator)


def ranking(*, estates: list[Estate], period_label: str) -> list[Ranking]:
    """Each rate with the estates ranked on it (best first, estates without a rate last) and
    the company total over those estates (``KpiGrid.total``). Three queries (snapshots and
    the months' states, targets)."""
    grid = kpi_selectors.kpi_table(estates=estates, months=[period_label], live=False)
    targets = targets_for([e.pk for e in estates])
    out = []
    for metric in kpi.metrics():
        ranked = [
            Ranked(
                e,
                Figure.of(grid.get(e, period_label, metric.key)),
                effective_target(targets, e.pk, metric.key),
                metric=metric,
            )
            for e in estates
        ]
        ranked.sort(key=lambda r: (r.figure.rate is None, -(r.figure.rate or 0), r.estate.code))
        rank = 0
        last = object()
        for position, item in enumerate(ranked, start=1):
            if item.figure.rate is None:
                continue
            if item.figure.rate != last:
                rank, last = position, item.figure.rate
            item.rank = rank
        out.append(
            Ranking(
                metric,
                kpi.section_label(metric.key),
                ranked,
                grid.total(period_label, metric.key),
            )
        )
    return out


def kpi_rows(*, estates: list[Estate], labels: list[str]):
    """Rows of the KPI export: (estate, period, metric, figure, target), two queries for the
    snapshots and their months' states (``kpi_table``) and one for the targets."""
    grid = kpi_selectors.kpi_table(estates=estates, months=labels, live=False)
    targets = targets_for([e.pk for e in estates])
    for estate in estates:
        for label in labels:
            for metric in kpi.metrics():
                yield (
                    estate,
                    label,
                    metric,
                    Figure.of(grid.get(estate, label, metric.key)),
                    effective_target(targets, estate.pk, metric.key),
                )


def target_list(*, estate: Estate | None) -> list[dict]:
    """Every registered rate with its company default and the estate's own target (if any),
    one query."""
    targets = targets_for([estate.pk] if estate else [])
    return [
        {
            "metric": m,
            "section": kpi.section_label(m.key),
            "default": targets.get((None, m.key)),
            "own": targets.get((estate.pk, m.key)) if estate else None,
        }
        for m in kpi.metrics()
    ]

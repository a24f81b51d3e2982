"""Reads of the estate app that are more than a get."""

from django.db.models import Q, QuerySet

from estate import kpi
from estate.models import Building, Estate, KpiSnapshot, Unit
from estate.scoping import for_user
from estate.services import kpi_snapshot_compute


def unit_search(*, user, estate: Estate | None = None, q: str = "") -> QuerySet[Unit]:
    qs = for_user(Unit, user).select_related("estate", "building")
    if estate is not None:
        qs = qs.filter(estate=estate)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(number__startswith=q) | Q(number__icontains=q))
    return qs.order_by("estate__code", "number")


def building_list(*, user, estate: Estate | None = None) -> QuerySet[Building]:
    qs = for_user(Building, user).select_related("estate")
    if estate is not None:
        qs = qs.filter(estate=estate)
    return qs.order_by("estate__code", "number")


def kpi_table(*, estate: Estate, period: kpi.Period) -> tuple[list[dict], object]:
    """The rows of a KPI table for one estate and period, from the stored snapshot.

    A month with no snapshot yet (or missing a key registered since) is computed and stored on
    the spot; an explicit date range is computed and not stored. Returns (rows, computed_at)."""
    metrics = kpi.metrics()
    if period.is_month:
        snaps = {s.key: s for s in KpiSnapshot.objects.filter(estate=estate, period=period.label)}
        if any(m.key not in snaps for m in metrics):
            kpi_snapshot_compute(estate=estate, period=period)
            snaps = {
                s.key: s for s in KpiSnapshot.objects.filter(estate=estate, period=period.label)
            }
        values = {
            k: (kpi.Ratio(s.numerator, s.denominator), s.computed_at) for k, s in snaps.items()
        }
    else:
        values = {
            k: (r, period.now) for k, r in kpi.compute_all(estate=estate, period=period).items()
        }
    rows = []
    computed_at = None
    for metric in metrics:
        ratio, at = values[metric.key]
        computed_at = at if computed_at is None or at > computed_at else computed_at
        rows.append({"metric": metric, "ratio": ratio})
    return rows, computed_at
